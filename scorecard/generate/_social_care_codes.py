"""Code lists of the CIN census and the SSDA903 return, and the distributions the social-care generator draws from.

The code lists are the ones the load contracts in ``loaders/contracts/social_care`` accept; the weights are chosen so
that the synthetic council looks like the reference scorecards (a mostly White British shire county).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class Weighted:
    """A fixed discrete distribution: ``Weighted({"a": 3, "b": 1}).draw(rng)`` returns "a" three times in four."""

    __slots__ = ("_cumulative", "_values")

    def __init__(self, weights: dict[T, float]) -> None:
        self._values: list[T] = list(weights)
        total = 0.0
        cumulative: list[float] = []
        for value in self._values:
            total += weights[value]
            cumulative.append(total)
        self._cumulative = cumulative

    def draw(self, rng: random.Random) -> T:
        return rng.choices(self._values, cum_weights=self._cumulative)[0]


def pick(rng: random.Random, values: Sequence[T]) -> T:
    return values[rng.randrange(len(values))]


# --- CIN census -------------------------------------------------------------------------------------------------
REFERRAL_SOURCES = ("1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F",
                    "4", "5A", "5B", "5C", "6", "7", "8", "9", "10")
REFERRAL_SOURCE = Weighted({
    "1A": 5.5, "1B": 1.0, "1C": 1.0, "1D": 0.5, "2A": 18.0, "2B": 1.5, "3A": 3.0, "3B": 3.0, "3C": 1.0,
    "3D": 2.0, "3E": 2.5, "3F": 4.0, "4": 2.0, "5A": 3.5, "5B": 4.0, "5C": 3.0, "6": 29.0, "7": 3.0,
    "8": 5.0, "9": 1.0, "10": 2.5,
})
PRIMARY_NEED_CODES = ("N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9")
PRIMARY_NEED = Weighted({"N1": 52, "N2": 7, "N3": 3, "N4": 11, "N5": 16, "N6": 3, "N7": 0.5, "N8": 2, "N9": 5.5})
REASONS_FOR_CLOSURE = ("RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8", "RC9")
ABUSE_CATEGORIES = ("NEG", "PHY", "SAB", "EMO", "MUL")
ABUSE_CATEGORY = Weighted({"NEG": 48, "EMO": 35, "PHY": 8, "SAB": 4, "MUL": 5})
DISABILITY_CODES = ("NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA")
DISABILITY = Weighted({"AUT": 30, "LD": 22, "COMM": 14, "BEH": 12, "MOB": 6, "PC": 4, "INC": 3, "HEAR": 2,
                       "VIS": 2, "HAND": 1, "CON": 1, "DDA": 3})
ASSESSMENT_FACTOR_CODES = ("1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B",
                           "5C", "6A", "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A",
                           "13A", "14A", "15A", "16A", "17A", "18B", "18C", "19B", "19C", "20", "21", "22A",
                           "23A", "24A")
# Factors most often recorded for each primary need (the first is the most likely).
FACTORS_BY_NEED: dict[str, tuple[str, ...]] = {
    "N1": ("3B", "4B", "16A", "17A", "2B", "1B", "18C", "3A", "19C", "5B", "6B"),
    "N2": ("6A", "5A", "4A", "7A", "20"),
    "N3": ("4B", "6B", "7A", "1B", "2B", "5B"),
    "N4": ("3B", "4B", "1B", "2B", "20", "4A"),
    "N5": ("3B", "4B", "3A", "1B", "2B", "17A", "20"),
    "N6": ("14A", "4A", "2A", "10A", "11A", "13A", "24A", "15A", "1A"),
    "N7": ("20", "4B", "6B"),
    "N8": ("9A", "20", "4A"),
    "N9": ("20", "4A", "6A"),
}
UPN_UNKNOWN_CODES = ("UN1", "UN2", "UN3", "UN4", "UN5", "UN6", "UN7")
CIN_SEX_CODES = ("0", "1", "2", "9")

# --- Shared by both returns ---------------------------------------------------------------------------------------
ETHNIC_CODES = ("WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN",
                "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT")
ETHNICITY = Weighted({
    "WBRI": 84.0, "WIRI": 0.3, "WOTH": 4.0, "WIRT": 0.3, "WROM": 0.3, "MWBC": 2.0, "MWBA": 0.5, "MWAS": 1.5,
    "MOTH": 1.5, "AIND": 0.6, "APKN": 0.4, "ABAN": 0.1, "AOTH": 0.6, "BCRB": 0.3, "BAFR": 0.6, "BOTH": 0.2,
    "CHNE": 0.2, "OOTH": 0.5, "REFU": 0.3, "NOBT": 1.3,
})
UASC_ETHNICITY = Weighted({"AOTH": 35, "BAFR": 30, "OOTH": 20, "WOTH": 10, "NOBT": 5})

# --- SSDA903 ------------------------------------------------------------------------------------------------------
RNE_CODES = ("S", "L", "P", "T", "B", "U")
LEGAL_STATUS_CODES = ("C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3")
CIN_903_CODES = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8")
CATEGORY_OF_NEED_AT_ENTRY = Weighted({"N1": 64, "N2": 3, "N3": 2, "N4": 9, "N5": 14, "N6": 3, "N7": 0.5})
PLACE_CODES = ("A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1",
               "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1")
PLACE_PROVIDER_CODES = ("PR0", "PR1", "PR2", "PR3", "PR4", "PR5")
REC_CODES = ("X1", "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5", "E6",
             "E7", "E8", "E9", "E14", "E15", "E16", "E17")
REASON_PLACE_CHANGE_CODES = ("CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ",
                             "PLACE", "CUSTOD", "OTHER")
REASON_PLACE_CHANGE = Weighted({"CARPL": 46, "CREQB": 14, "CREQO": 8, "CHILD": 8, "LAREQ": 5, "CLOSE": 3,
                                "ALLEG": 2, "STAND": 2, "APPRR": 1, "OTHER": 11})
REVIEW_CODES = ("PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7")
REVIEW_PARTICIPATION = Weighted({"PN1": 62, "PN2": 6, "PN3": 6, "PN4": 9, "PN5": 10, "PN6": 5, "PN7": 2})
SDQ_REASON_CODES = ("SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5")
IN_TOUCH_CODES = ("YES", "NO", "DIED", "REFU", "NREQ", "RHOM")
ACTIVITY_CODES = ("F1", "P1", "F2", "P2", "F3", "P3", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0")
# Activity of care leavers in the 2016-2020 code set: F/P1 higher education, F/P2 other education,
# F/P3 training or employment, G4-G6 not in education, employment or training (NEET).
ACTIVITY_IN_EET = Weighted({"F1": 9, "P1": 1, "F2": 38, "P2": 5, "F3": 34, "P3": 13})
ACTIVITY_NEET = Weighted({"G4": 18, "G5": 68, "G6": 14})
ACCOMMODATION_CODES = (*(f"{letter}{suitable}" for letter in "BCDEGHKRSTUVWXYZ" for suitable in "12"), "0")
# Accommodation type letters: B parents/relatives, C community home, D semi-independent, E supported lodgings,
# G gone abroad, H deported, K ordinary lodgings, R not known, S no fixed abode, T foyer, U independent living,
# V emergency accommodation, W bed and breakfast, X custody, Y other, Z with former foster carers (staying put);
# the digit is 1 suitable, 2 unsuitable.
ACCOMMODATION_TYPE = Weighted({"U": 34, "B": 17, "D": 15, "Z": 10, "E": 6, "K": 5, "T": 4, "C": 2, "X": 3,
                               "Y": 2, "S": 1, "W": 0.5, "V": 0.5})
ALWAYS_UNSUITABLE = frozenset({"S", "W", "V", "R"})
SEX_ADOPTER_CODES = ("M1", "F1", "MM", "FF", "MF")
LS_ADOPTER_CODES = ("L0", "L11", "L12", "L2", "L3", "L4")
REASON_PLACED_CEASED_CODES = ("RD1", "RD2", "RD3", "RD4")
PREV_PERM_CODES = ("P1", "P2", "P3", "P4", "Z1")
MISSING_CODES = ("M", "A")

# --- Local extracts -----------------------------------------------------------------------------------------------
CONTACT_OUTCOMES = ("REFERRAL", "EARLY_HELP", "ADVICE", "SIGNPOST", "NFA")
NON_REFERRAL_CONTACT_OUTCOME = Weighted({"EARLY_HELP": 25, "ADVICE": 33, "SIGNPOST": 15, "NFA": 27})

# --- Places ----------------------------------------------------------------------------------------------------
# Other councils (old three-digit LA codes): where children moved in from, or had an earlier permanence order.
OTHER_LA_CODES = ("896", "876", "877", "352", "861", "860", "356", "357", "344", "343")

# --- Postcodes -------------------------------------------------------------------------------------------------
# Postcode sectors of the council's area (home addresses and in-area placements), north and south of the county.
HOME_SECTORS_NORTH = ("SK9 1", "SK9 2", "SK9 5", "SK9 6", "SK10 1", "SK10 2", "SK10 3", "SK10 4", "SK10 5",
                      "SK11 6", "SK11 7", "SK11 8", "SK12 1", "WA16 0", "WA16 6", "WA16 8", "CW12 1", "CW12 2",
                      "CW12 3", "CW12 4")
HOME_SECTORS_SOUTH = ("CW1 2", "CW1 3", "CW1 4", "CW1 5", "CW1 6", "CW2 5", "CW2 6", "CW2 7", "CW2 8", "CW4 7",
                      "CW5 5", "CW5 6", "CW5 7", "CW10 0", "CW10 9", "CW11 1", "CW11 3", "CW11 4", "ST7 2", "ST7 3")
# Placement sectors outside the area: neighbours within about 20 miles, and further away.
NEAR_SECTORS = ("ST4 2", "ST5 1", "ST6 3", "CW7 1", "CW8 4", "CW9 7", "SK4 3", "SK7 1", "WA14 2", "WA15 8", "CW3 9")
FAR_SECTORS = ("M14 5", "M22 8", "M40 7", "WA8 7", "L4 0", "L24 1", "PR1 3", "BB1 2", "BL1 4", "OL1 3", "ST17 4",
               "WV10 6", "B23 5", "DE22 3", "S6 4", "LS11 5", "CH65 9", "SY1 2", "LL11 3", "DY1 4", "WN5 9")
