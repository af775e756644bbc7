"""The GAN lab's handlers, called without a server: a change of language redraws a run at rest."""

import gradio as gr

from components.i18n import translate
from components.live import LiveSession
from demos.gan import core, tab

SKIP = type(gr.skip())


def trained(iterations: int) -> LiveSession:
    """A session whose run trained ``iterations`` in English, as Start streams it."""
    session = LiveSession()
    for _ in tab.start.__wrapped__(core.GanSettings(iterations=iterations), None, session, lang="en"):
        pass
    return session


def test_a_change_of_language_redraws_a_finished_run_without_training_it():
    session = trained(3)
    run = session.run
    history = {name: list(values) for name, values in run.history.items()}
    status, main, curves = tab.redraw.__wrapped__(session, lang="zh")
    assert run.iteration == 3 and session.run is run                        # nothing trained, same run
    assert run.history == history
    assert translate("gan_status_iter", "zh", iteration=3) in status
    assert translate("live_done", "zh") in status
    loss = translate(f"gan_loss_{run.config.loss}", "zh")
    assert translate("gan_plane_title", "zh", iteration=3, loss=loss) in main["layout"]["title"]["text"]


def test_a_paused_or_stepped_run_keeps_its_note_in_the_new_language():
    session = LiveSession()
    tab.step.__wrapped__(core.GanSettings(), None, "both", session, lang="en")
    status, *_ = tab.redraw.__wrapped__(session, lang="zh")
    assert translate("gan_status_iter", "zh", iteration=1) in status and translate("live_paused", "zh") in status
    tab.reset.__wrapped__(core.GanSettings(), None, session, lang="zh")
    status, *_ = tab.redraw.__wrapped__(session, lang="en")
    assert translate("live_ready", "en") in status


def test_no_run_is_left_alone_and_a_run_training_now_draws_its_next_frame_in_the_new_language():
    assert all(isinstance(v, SKIP) for v in tab.redraw.__wrapped__(LiveSession(), lang="zh"))
    session = LiveSession()
    frames = tab.start.__wrapped__(core.GanSettings(iterations=200), None, session, lang="en")
    _, status, *_ = next(frames)                      # training, in English
    assert translate("live_running", "en") in status
    assert all(isinstance(v, SKIP) for v in tab.redraw.__wrapped__(session, lang="zh"))   # no frame of its own
    _, status, main, _ = next(frames)
    assert translate("live_running", "zh") in status
    assert translate("gan_status_iter", "zh", iteration=session.run.iteration) in status
    frames.close()


def test_the_redrawn_pictures_carry_the_same_data_as_the_frame_they_replace():
    # only the words change: every trace keeps its points (a redraw that dropped them would show empty axes)
    import numpy as np

    session, last = LiveSession(), None
    for last in tab.start.__wrapped__(core.GanSettings(iterations=3), None, session, lang="en"):
        pass
    _, _, main_en, curves_en = last
    _, main_zh, curves_zh = tab.redraw.__wrapped__(session, lang="zh")
    for english, chinese in ((main_en, main_zh), (curves_en, curves_zh)):
        assert len(english["data"]) == len(chinese["data"])
        for a, b in zip(english["data"], chinese["data"]):
            for key in ("x", "y", "z"):
                if a.get(key) is not None:
                    np.testing.assert_array_equal(np.asarray(a[key], dtype=float), np.asarray(b[key], dtype=float))
