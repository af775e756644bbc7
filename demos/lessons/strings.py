"""The Lessons tab's own strings, and every lesson's texts (read from its TOML file) as
``les_<key>_<text>`` so the page switches them with the rest of the labels."""

from demos.lessons.core import TEXTS, lessons

EN = {
    "les_tab": "Lessons",
    "les_intro": "Short lessons for a class or on your own. Each sets the scene, asks you to **predict** what "
                 "you will see, opens the lab in the right state (in a new browser tab), and then reveals the "
                 "answer. A teacher adds a lesson by adding a file to `demos/lessons/lessons/`.",
    "les_predict": "**Predict:** ",
    "les_reveal": "Show the answer (after you have looked)",
    "les_lesson": "Lesson",
}
ZH = {
    "les_tab": "课程",
    "les_intro": "供课堂或自学使用的小课程。每一课先交代背景，请你**预测**将会看到什么，再（在新的浏览器标签页中）"
                 "把实验打开到合适的状态，最后揭晓答案。教师只需在 `demos/lessons/lessons/` 中添加一个文件即可新增一课。",
    "les_predict": "**预测：**",
    "les_reveal": "查看答案（先自己看一看）",
    "les_lesson": "课程名",
}
OPEN = {"en": "Open the lab for this lesson ↗", "zh": "打开本课的实验 ↗"}

for lesson in lessons():
    for lang, table in (("en", EN), ("zh", ZH)):
        texts = lesson.texts[lang]
        table[f"les_{lesson.key}_title"] = texts["title"]
        table[f"les_{lesson.key}_body_md"] = (f"{texts['context']}\n\n{table['les_predict']}{texts['question']}\n\n"
                                              f"[{OPEN[lang]}]({lesson.href(lang)})")
        table[f"les_{lesson.key}_answer_md"] = texts["answer"]
assert set(TEXTS) == {"title", "context", "question", "answer"}
