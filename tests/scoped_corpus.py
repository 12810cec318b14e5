"""A corpus of two förbund in sub-folders (scopes), a shared document both have a copy of, and one
document directly in the corpus folder that belongs to no scope.

Uppsala's folder holds more SIP notes than retrieval takes candidates, all of them closer to a SIP
question than Gävleborg's single one: filtering after the top-k would leave Gävleborg empty-handed.
"""

from __future__ import annotations

from index.retrieval import NOTE_CANDIDATES

GAVLEBORG, UPPSALA = "gavleborg", "uppsala"
GAVLEBORG_SIP = (
    "I Gävleborg kallar samordnaren till mötet och socialtjänsten skriver en SIP, den samordnade planen, "
    "tillsammans med regionens vårdcentral."
)
GAVLEBORG_DOC = f"{GAVLEBORG}/dialogbord.txt"
UPPSALA_DOC = f"{UPPSALA}/sip-workshop.txt"
UPPSALA_ONLY_WORD = "kvarnbomodellen"
UPPSALA_ONLY_SENTENCE = (
    "Kvarnbomodellen samlar handläggare från kommunen och Arbetsförmedlingen i samma lokal två dagar i veckan."
)
ROOT_DOC = "nationell-rapport.txt"
ROOT_SENTENCE = "Den nationella rapporten om fontänhus visar att medlemmarna driver huset tillsammans med personalen."
SHARED_NAME = "gemensam-konferens.txt"
SHARED_TEXT = (
    "Gemensam konferens om psykisk hälsa\n\n"
    "Konferensen samlade båda förbunden kring psykisk hälsa hos unga vuxna. Deltagarna efterfrågade "
    "fler lågtröskelverksamheter och en gemensam kartläggning av väntetider.\n"
)


def _uppsala_table(number: int) -> str:
    return (
        f"Bord {number}\n\nSIP i Uppsala, grupp {number}\n\nSamtalsledare: Person {number}, Region Uppsala\n\n"
        f"Grupp {number} i Uppsala talade om SIP, samordnad individuell plan, och hur SIP-mötet förbereds "
        f"så att den enskilde får en SIP som följs upp. SIP i Uppsala bord {number}.\n\n"
    )


SCOPED_CORPUS = {
    GAVLEBORG_DOC: (
        "Dialogbord i Gävleborg 2024\n\n"
        "Bord 1\n\nSamordnad individuell plan\n\nSamtalsledare: Maria Lind, Region Gävleborg\n\n"
        f"{GAVLEBORG_SIP}\n\n"
        "Bord 2\n\nArbetsträning\n\nSamtalsledare: Lena Ek, Gävle kommun\n\n"
        "Handledarna i parkförvaltningen behöver mer stöd för att orka ta emot deltagare i arbetsträning.\n"
    ),
    UPPSALA_DOC: "Workshop om SIP i Uppsala\n\n"
    + "".join(_uppsala_table(number) for number in range(1, NOTE_CANDIDATES + 6))
    + f"Avslutning\n\n{UPPSALA_ONLY_SENTENCE} Deltagarna får en gemensam plan och en kontaktperson.\n",
    f"{GAVLEBORG}/{SHARED_NAME}": SHARED_TEXT,
    f"{UPPSALA}/{SHARED_NAME}": SHARED_TEXT,
    ROOT_DOC: f"Nationell rapport om fontänhus\n\n{ROOT_SENTENCE}\n",
}
