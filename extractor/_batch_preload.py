"""Imported once by the fork server of a batch audit (extractor/batch.py): it loads the readers,
jieba and the section classifier, and every worker is then forked from this warm process, so a
worker (or the replacement of one that was killed) starts in milliseconds instead of seconds."""
import gc

from .pipeline import warm_up

warm_up()
# What was loaded stays for the life of every worker: out of the garbage collector's sight, so
# a worker's collections neither scan it nor write to (and so copy) the pages it shares.
gc.freeze()
