"""Reading report prose: numbers (Arabic and Chinese), sentences, clauses, negation scope and
stated counts. Used by the narrative checks; knows nothing about tables."""
from .numbers import Number, cn_to_int, find_numbers, normalize
from .sentences import Claim, ClaimPattern, Clause, Negation, Sentence, clauses, find_claims, negations, sentences

__all__ = ["Claim", "ClaimPattern", "Clause", "Negation", "Number", "Sentence", "clauses", "cn_to_int",
           "find_claims", "find_numbers", "negations", "normalize", "sentences"]
