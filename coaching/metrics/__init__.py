"""Conversation metrics of one call: pure functions over the transcript, speech spans and audio.

Definitions and norms: ``shared/docs/coaching-model.md``, "Conversation metrics". Talk time comes from speech
spans, never from text length. :func:`compute.compute_metrics` returns a frozen :class:`types.CallMetrics`.

Modules
-------
compute      :func:`compute.compute_metrics` (the one entry point) and :class:`compute.SpeakerSignals`
types        the result dataclasses (:class:`types.CallMetrics` and its parts); their JSON form and schema come
             from :mod:`coaching.jsonable`
norms        norm bands and parameters per language from ``coaching/language/norms_*.yaml`` (:class:`norms.Norms`)
spans        speech spans and words per speaker, turns
tempo        words per minute, syllables per second, articulation rate, rate matching, the tempo series
timing       overtalk, interruptions, silences, response latency, the longest monologue and story
words        fillers, questions (open/closed), customer-state words
trajectory   the customer's words and voice from the first third of the call to the last
delivery     voice delivery (pitch and loudness), descriptive only: never an emotion label
"""
