"""Follow-ups answered as the question they continue (actions/context.py)."""

from __future__ import annotations

from actions import context


def user(text, intent, entities=()):
    return {"event": "user", "text": text,
            "parse_data": {"intent": {"name": intent, "confidence": 0.9},
                           "entities": list(entities)}}


def bot(text="..."):
    return {"event": "bot", "text": text}


MIG_LIF = {"entity": "procedure", "value": "mig_lif", "start": 13, "end": 20}
RULER = {"confidence": None, "extractor": "SpineEntityExtractor"}
STENOSIS = {"entity": "condition", "value": "lumbar_spinal_stenosis", "start": 14, "end": 22}


def test_a_follow_up_continues_the_latest_topic_question():
    events = [user("how long is recovery?", "ask_recovery_time"), bot(),
              user("and with open surgery?", "follow_up")]
    message = context.rewritten(events[-1], context.question_continued(events))
    assert message["parse_data"]["intent"] == {"name": "ask_recovery_time", "confidence": 1.0}
    assert message["text"] == "and with open surgery?"


def test_greetings_and_thanks_in_between_are_skipped():
    events = [user("telehealth?", "ask_telehealth"), bot(), user("thanks", "thank"), bot(),
              user("is it still available?", "follow_up")]
    assert context.question_continued(events)["parse_data"]["intent"]["name"] == "ask_telehealth"


def test_a_follow_up_after_a_follow_up_keeps_the_topic():
    first = [user("how big is the cut?", "ask_incision_size"), bot(),
             user("and for open surgery?", "follow_up")]
    rewritten = context.rewritten(first[-1], context.question_continued(first))
    events = [*first, {"event": "rewind"}, {"event": "action", "name": "action_listen"},
              rewritten, bot(), user("really?", "follow_up")]
    assert context.question_continued(events)["parse_data"]["intent"]["name"] == "ask_incision_size"


def test_a_message_taken_back_is_not_continued():
    events = [user("what is miss", "ask_what_is_miss"), bot(),
              user("how long is recovery", "ask_recovery_time"), {"event": "rewind"},
              user("and now?", "follow_up")]
    assert context.question_continued(events)["parse_data"]["intent"]["name"] == "ask_what_is_miss"


def test_what_the_follow_up_names_wins_and_otherwise_the_question_s_entities_carry_over():
    asked = user("do you treat stenosis?", "ask_condition_treated", [STENOSIS])
    unsure = user("are you sure?", "follow_up")
    assert context.rewritten(unsure, asked)["parse_data"]["entities"] == [STENOSIS]
    benefits = user("what are the benefits?", "ask_benefits")
    named = user("and for MIG-LIF?", "follow_up", [MIG_LIF])
    assert context.rewritten(named, benefits)["parse_data"]["entities"] == [MIG_LIF]


def test_with_nothing_to_continue_the_bot_says_what_it_can_help_with():
    events = [user("hi", "greet"), bot(), user("is it still available?", "follow_up")]
    assert context.question_continued(events, "ask_help") is None
    assert context.rewritten(events[-1], None, "ask_help")["parse_data"]["intent"][
        "name"] == "ask_help"
    # A project whose follow-up intent names nothing: not rewritten (the fallback answers).
    assert context.rewritten(events[-1], None) is None


def test_a_new_session_starts_without_a_topic():
    events = [user("telehealth?", "ask_telehealth"), bot(), {"event": "session_started"},
              user("is it still available?", "follow_up")]
    assert context.question_continued(events) is None


def test_a_session_ended_for_its_length_leaves_its_topic_open():
    topic = {"intent": {"name": "ask_what_is_miglif", "confidence": 0.97},
             "entities": [{**MIG_LIF, **RULER}]}
    events = [{"event": "session_started", "metadata": {context.TOPIC_KEY: topic}},
              user("what are its benefits?", "follow_up")]
    message = context.rewritten(events[-1], context.question_continued(events))
    assert message["parse_data"]["intent"]["name"] == "ask_what_is_miglif"
    assert message["parse_data"]["entities"] == [{k: v for k, v in MIG_LIF.items()}
                                                 | {"extractor": "SpineEntityExtractor"}]
    assert message["text"] == "what are its benefits?"


def test_slots_are_set_as_the_domain_maps_them():
    mappings = {"procedure": [{"type": "from_entity", "entity": "procedure"},
                              {"type": "from_intent", "intent": ["ask_what_is_miss"],
                               "value": "miss"}],
                "notice_answer": [{"type": "custom"}]}
    named = context.rewritten(user("and for MIG-LIF?", "follow_up", [MIG_LIF]),
                              user("what are the benefits?", "ask_benefits"))
    assert context.slots_from(named, mappings) == {"procedure": "mig_lif"}
    plain = context.rewritten(user("and?", "follow_up"), user("what is miss", "ask_what_is_miss"))
    assert context.slots_from(plain, mappings) == {"procedure": "miss"}


def test_unset_entity_fields_are_left_out_for_rasa_s_event_schema():
    named = user("and for MIG-LIF?", "follow_up", [{**MIG_LIF, **RULER}])
    message = context.rewritten(named, user("benefits?", "ask_benefits"))
    entity = message["parse_data"]["entities"][0]
    assert "confidence" not in entity and entity["value"] == "mig_lif"
