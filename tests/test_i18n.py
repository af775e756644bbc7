import re

import pytest

import demos
from components import i18n

LABS = demos.labs()   # registers every lab's strings


def test_every_string_exists_in_both_languages():
    tables = i18n.tables()
    assert set(tables["en"]) == set(tables["zh"])
    for lab in LABS:
        assert set(lab.strings.EN) == set(lab.strings.ZH), lab.key
        assert lab.strings.EN.keys() <= tables["en"].keys()


def test_a_lab_with_mismatched_strings_is_refused():
    with pytest.raises(ValueError, match="keys differ"):
        i18n.register({"x_only_en": "a"}, {})
    with pytest.raises(ValueError, match="already registered"):
        i18n.register({"app_intro": "another text"}, {"app_intro": "另一段"})


def test_placeholders_match_between_languages():
    tables = i18n.tables()
    field = re.compile(r"(?<!\{)\{(\w+)[^{}]*\}(?!\})")
    for key, english in tables["en"].items():
        if key.endswith("_md"):
            continue  # LaTeX braces, not placeholders
        assert set(field.findall(english)) == set(field.findall(tables["zh"][key])), key


def test_chinese_strings_are_chinese():
    zh = i18n.tables()["zh"]
    assert re.search(r"[\u4e00-\u9fff]", zh["app_intro"])
    assert zh["err_out_of_range"] != i18n.tables()["en"]["err_out_of_range"]


def test_translate_fills_values_and_translates_control_names():
    en = i18n.translate("err_out_of_range", "en", name="att_layer", low=0, high=5, value=9)
    zh = i18n.translate("err_out_of_range", "zh", name="att_layer", low=0, high=5, value=9)
    assert en == "Layer must be between 0 and 5, got 9."
    assert zh == "层 必须在 0 到 5 之间，收到的是 9。"


def test_language_follows_accept_language():
    assert i18n.language_of("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert i18n.language_of("en-US,en;q=0.9,zh-CN;q=0.8") == "en"
    assert i18n.language_of("fr-FR,zh;q=0.5") == "zh"
    assert i18n.language_of(None) == "en"


def test_input_error_reads_in_english():
    err = i18n.InputError("att_err_empty")
    assert isinstance(err, ValueError) and "empty" in str(err)


def test_frontend_tables_have_no_unfilled_placeholders():
    tables = i18n.frontend_tables()
    assert set(tables) == {"en", "zh", "zh-CN"}
    assert tables["en"]["att_run"] == "Show attention" and tables["zh-CN"]["att_run"] == "显示注意力"
    assert all("{" not in v for k, v in tables["en"].items() if not k.endswith("_md"))


def test_the_page_language_cookie_wins_over_the_browser_language():
    assert i18n.language_of("en-US,en", "theme=dark; aigc_lang=zh") == "zh"
    assert i18n.language_of("zh-CN", "aigc_lang=en") == "en"
    assert i18n.language_of("zh-CN", "aigc_lang=fr") == "zh"   # a bad cookie is ignored


# What Markdown may show as HTML: a string naming a token like <start>, <s> or <|unk|> must put it
# in a code span, or the page reads it as a tag (<s> strikes through the rest, an unknown tag
# swallows it: "(32 tokens with <start> and <end>): cut off…" showed as "(32 tokens with").
MARKUP_TAGS = {"br", "b", "i", "em", "strong", "sub", "sup", "span", "code", "small", "a", "p", "div", "ul", "ol",
               "li", "table", "tr", "td", "th", "hr", "kbd", "details", "summary"}


def test_token_names_in_texts_are_code_spans_not_tags():
    tag = re.compile(r"<\s*/?\s*([A-Za-z|][^\s>/]*)")
    for lang, table in i18n.tables().items():
        for key, text in table.items():
            outside_code = re.sub(r"`[^`]*`|\$[^$]*\$", "", text)   # code spans and LaTeX show literally
            stray = [t for t in tag.findall(outside_code) if t.lower() not in MARKUP_TAGS]
            assert not stray, (lang, key, stray)
