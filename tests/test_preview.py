"""`make preview` (staff/preview.py): each new or changed answer, as the web chat and the SMS
patient will see it."""

from __future__ import annotations

from staff import preview
from staff.preview import changed

NOTICE = [{"text": "Update of {notice_date}: {notice_quote}"},
          {"channel": "socketio", "custom": {"notice": {
              "heading": "Practice update, {notice_date}", "text": "{notice_quote}"}}}]
DEFAULT = [{"text": "Sorry. Please call us at {practice_phone}.",
            "buttons": [{"title": "Call us", "payload": "/ask_phone_number"}]}]


def test_only_what_differs_from_the_running_model_is_shown():
    files = {"utter_default": DEFAULT, "utter_notice_quote": NOTICE,
             "utter_new": [{"text": "Hi."}]}
    live = {"utter_default": DEFAULT, "utter_notice_quote": NOTICE[:1]}
    assert changed(files, live) == [("utter_new", "new"), ("utter_notice_quote", "changed")]
    assert changed(files, None) == [(name, "new") for name in sorted(files)]


def test_each_channel_sees_its_own_version():
    shown = "\n".join(preview.preview("utter_notice_quote", "changed", NOTICE))
    assert "Web chat      [card] Practice update, April 30, 2020" in shown
    assert "Text message  Update of April 30, 2020: We will continue" in shown
    shown = "\n".join(preview.preview("utter_default", "new", DEFAULT))
    assert "buttons: [Call us]" in shown
    assert "Please call us at 501-661-0077.  Reply 1 for Call us." in shown
    assert "(1 SMS segment)" in shown


def test_the_real_files_preview_without_errors(capsys):
    assert preview.main(["--all"]) == 0
    out = capsys.readouterr().out
    assert "utter_sms_help (new)" in out and "question(s) to publish" in out
    assert "ask_cost (new): offered as [Cost] when the bot is unsure" in out


def test_a_question_s_new_title_notice_words_and_keywords_are_shown():
    live = {"intents": [{"ask_visitors": {"metadata": {"title": "Visits"}}}, "ask_cost"]}
    files = {"intents": [
        {"ask_visitors": {"metadata": {"title": "Visitors", "notice_words": ["visitor"]}}},
        {"forget_me": {"metadata": {"sms_keywords": ["DELETE"]}}}, "ask_cost"]}
    assert preview.question_changes(files, live) == [
        "ask_visitors (changed): offered as [Visitors] when the bot is unsure; answered from "
        "the notice's sentences with: visitor",
        "forget_me (new): asked by the text DELETE"]
