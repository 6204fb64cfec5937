"""The areas a LAIT-style benchmark file covers: England, its nine regions and the 152 local authorities with
children's services responsibilities (the set that existed from 2009 to March 2019), by their three-digit DfE
(old) LA code, as LAIT's "LA Number" column holds them.

Cheshire East's ten statistical neighbours are the published set (reference README, in rank order); the
generator derives every other council's set from a synthetic similarity score.
"""

from __future__ import annotations

from dataclasses import dataclass

ENGLAND_CODE = "E92000001"
ENGLAND_NAME = "England"


@dataclass(frozen=True)
class Region:
    index: int  # GOInd in the SN groups sheet
    code: str
    name: str


@dataclass(frozen=True)
class LocalAuthority:
    code: str  # three-digit DfE (old) LA code
    name: str
    region: Region


REGIONS: tuple[Region, ...] = (
    Region(1, "E12000001", "North East"),
    Region(2, "E12000002", "North West"),
    Region(3, "E12000003", "Yorkshire and The Humber"),
    Region(4, "E12000004", "East Midlands"),
    Region(5, "E12000005", "West Midlands"),
    Region(6, "E12000006", "East of England"),
    Region(7, "E12000007", "London"),
    Region(8, "E12000008", "South East"),
    Region(9, "E12000009", "South West"),
)

_BY_REGION: dict[int, tuple[tuple[str, str], ...]] = {
    1: (("841", "Darlington"), ("840", "County Durham"), ("390", "Gateshead"), ("805", "Hartlepool"),
        ("806", "Middlesbrough"), ("391", "Newcastle upon Tyne"), ("392", "North Tyneside"), ("929", "Northumberland"),
        ("807", "Redcar and Cleveland"), ("393", "South Tyneside"), ("808", "Stockton-on-Tees"),
        ("394", "Sunderland")),
    2: (("889", "Blackburn with Darwen"), ("890", "Blackpool"), ("350", "Bolton"), ("351", "Bury"),
        ("895", "Cheshire East"), ("896", "Cheshire West and Chester"), ("909", "Cumbria"), ("876", "Halton"),
        ("340", "Knowsley"), ("888", "Lancashire"), ("341", "Liverpool"), ("352", "Manchester"), ("353", "Oldham"),
        ("354", "Rochdale"), ("355", "Salford"), ("343", "Sefton"), ("342", "St. Helens"), ("356", "Stockport"),
        ("357", "Tameside"), ("358", "Trafford"), ("877", "Warrington"), ("359", "Wigan"), ("344", "Wirral")),
    3: (("370", "Barnsley"), ("380", "Bradford"), ("381", "Calderdale"), ("371", "Doncaster"),
        ("811", "East Riding of Yorkshire"), ("810", "Kingston upon Hull, City of"), ("382", "Kirklees"),
        ("383", "Leeds"), ("812", "North East Lincolnshire"), ("813", "North Lincolnshire"),
        ("815", "North Yorkshire"), ("372", "Rotherham"), ("373", "Sheffield"), ("384", "Wakefield"),
        ("816", "York")),
    4: (("831", "Derby"), ("830", "Derbyshire"), ("856", "Leicester"), ("855", "Leicestershire"),
        ("925", "Lincolnshire"), ("928", "Northamptonshire"), ("892", "Nottingham"), ("891", "Nottinghamshire"),
        ("857", "Rutland")),
    5: (("330", "Birmingham"), ("331", "Coventry"), ("332", "Dudley"), ("884", "Herefordshire"), ("333", "Sandwell"),
        ("893", "Shropshire"), ("334", "Solihull"), ("860", "Staffordshire"), ("861", "Stoke-on-Trent"),
        ("894", "Telford and Wrekin"), ("335", "Walsall"), ("937", "Warwickshire"), ("336", "Wolverhampton"),
        ("885", "Worcestershire")),
    6: (("822", "Bedford"), ("873", "Cambridgeshire"), ("823", "Central Bedfordshire"), ("881", "Essex"),
        ("919", "Hertfordshire"), ("821", "Luton"), ("926", "Norfolk"), ("874", "Peterborough"),
        ("882", "Southend-on-Sea"), ("935", "Suffolk"), ("883", "Thurrock")),
    7: (("301", "Barking and Dagenham"), ("302", "Barnet"), ("303", "Bexley"), ("304", "Brent"), ("305", "Bromley"),
        ("202", "Camden"), ("201", "City of London"), ("306", "Croydon"), ("307", "Ealing"), ("308", "Enfield"),
        ("203", "Greenwich"), ("204", "Hackney"), ("205", "Hammersmith and Fulham"), ("309", "Haringey"),
        ("310", "Harrow"), ("311", "Havering"), ("312", "Hillingdon"), ("313", "Hounslow"), ("206", "Islington"),
        ("207", "Kensington and Chelsea"), ("314", "Kingston upon Thames"), ("208", "Lambeth"), ("209", "Lewisham"),
        ("315", "Merton"), ("316", "Newham"), ("317", "Redbridge"), ("318", "Richmond upon Thames"),
        ("210", "Southwark"), ("319", "Sutton"), ("211", "Tower Hamlets"), ("320", "Waltham Forest"),
        ("212", "Wandsworth"), ("213", "Westminster")),
    8: (("867", "Bracknell Forest"), ("846", "Brighton and Hove"), ("825", "Buckinghamshire"),
        ("845", "East Sussex"), ("850", "Hampshire"), ("921", "Isle of Wight"), ("886", "Kent"), ("887", "Medway"),
        ("826", "Milton Keynes"), ("931", "Oxfordshire"), ("851", "Portsmouth"), ("870", "Reading"),
        ("871", "Slough"), ("852", "Southampton"), ("936", "Surrey"), ("869", "West Berkshire"),
        ("938", "West Sussex"), ("868", "Windsor and Maidenhead"), ("872", "Wokingham")),
    9: (("800", "Bath and North East Somerset"), ("837", "Bournemouth"), ("801", "Bristol, City of"),
        ("908", "Cornwall"), ("878", "Devon"), ("835", "Dorset"), ("916", "Gloucestershire"),
        ("420", "Isles of Scilly"), ("802", "North Somerset"), ("879", "Plymouth"), ("836", "Poole"),
        ("933", "Somerset"), ("803", "South Gloucestershire"), ("866", "Swindon"), ("880", "Torbay"),
        ("865", "Wiltshire")),
}

LOCAL_AUTHORITIES: tuple[LocalAuthority, ...] = tuple(
    LocalAuthority(code, name, region)
    for region in REGIONS
    for code, name in _BY_REGION[region.index]
)

# Councils so small that almost every children's-services figure about them is suppressed or not applicable.
TINY = frozenset({"201", "420"})

# Cheshire East's published statistical neighbours, in rank order (reference README).
PUBLISHED_NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "895": ("896", "937", "823", "877", "850", "815", "811", "334", "802", "869"),
}


def by_code() -> dict[str, LocalAuthority]:
    return {la.code: la for la in LOCAL_AUTHORITIES}
