"""One call's analysis: the stages wired together, the one scoring step, the one configuration, the JSON contract.

audio file → decoded channels → speech spans → language → words per speaker → transcript → metrics →
checklist → :class:`coaching.models.Analysis` (typed to the edges). Nothing here touches the database.

Modules
-------
pipeline     :func:`pipeline.analyse_call` wires every stage for one recording (progress callback; the
             :class:`coaching.asr.transcriber.Transcriber` protocol, so tests pass a fake)
scoring      :func:`scoring.score_call` the one scoring step (metrics → checklist) used by the first analysis,
             corrections, re-scoring (:func:`scoring.rescore`) and demo calls
config       :class:`config.AnalysisConfig`: the settings and active checklist every entry point analyses with
             (resolved from the environment and the organisation's choices by
             :func:`coaching.services.config.analysis_config`)
languages    the call's language: fixed (forced / a default) or detected per channel, flagged when doubtful
             (:data:`languages.LOW_LANGUAGE_PROBABILITY`, channels that disagree)
language_json  the language fields of the JSON's ``call`` (source, flag, per-channel detections) and their schema
fingerprint  :func:`fingerprint.config_fingerprint`: a hash of what decides an analysis (batch runs skip by it)
report       the analysis JSON: :func:`report.analysis_to_dict`, :func:`report.analysis_from_dict`,
             :func:`report.analysis_json_schema` (``schema/analysis.schema.json``)
evaluation   transcript accuracy against ground truth (WER, CER per speaker) for benches and tests
"""
