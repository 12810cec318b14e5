"""A small corpus for the bot's tests: sixteen dialogue tables (so an answer can outgrow one
message), a workshop, and text with `&`, `<` and `>` that must be escaped on the way out."""

from __future__ import annotations

TOPICS = (
    ("arbetsträning", "Lena Ek, Sundsvalls kommun"),
    ("ekonomiskt bistånd", "Omar Said, Region Gävleborg"),
    ("SIP", "Maria Lind, Region Uppsala"),
    ("psykisk hälsa", "Johan Berg, Försäkringskassan"),
    ("unga utanför studier", "Sara Holm, Arbetsförmedlingen"),
    ("språkstöd", "Ali Hassan, Gävle kommun"),
    ("digital inkludering", "Eva Nord, Hudiksvalls kommun"),
    ("föräldrastöd", "Karin Sjö, Bollnäs kommun"),
    ("rehabilitering", "Per Alm, Region Gävleborg"),
    ("studiemotivation", "Nina Ros, Sandvikens kommun"),
    ("ideell sektor", "Lars Ek, Ljusdals kommun"),
    ("uppföljning", "Anna Vik, Ovanåkers kommun"),
    ("boende", "Emil Strand, Nordanstigs kommun"),
    ("sysselsättning", "Fatima Noor, Hofors kommun"),
    ("kultur", "Olle Björk, Ockelbo kommun"),
    ("hälsofrämjande arbete", "Greta Lund, Söderhamns kommun"),
)
SIP_SENTENCE = (
    "Socialtjänsten & regionen skriver en SIP <samordnad individuell plan> tillsammans med den enskilde, "
    "och \"SIP-samordnaren\" kallar till mötet inom fem dagar."
)
DIALOGUE_TITLE = "Dialogbord om samverkan 2024"
WORKSHOP_TITLE = "Workshop om fontänhus"
WORKSHOP_TEXT = (
    f"{WORKSHOP_TITLE}\n\n"
    "Fontänhuset i Gävle erbjuder en arbetsinriktad dag för personer med psykisk ohälsa. "
    "Medlemmarna driver huset tillsammans med personalen och ansvarar för köket, kontoret och caféet.\n\n"
    "Erfarenheter\n\n"
    "Flera deltagare har gått vidare till arbete eller studier efter ett år i fontänhuset. "
    "Samordningsförbundet finansierar en halvtid för att stödja övergången till arbetsmarknaden.\n"
)
NEW_DOCUMENT_NAME = "kvarnbo.md"
NEW_DOCUMENT_TEXT = (
    "Kvarnbomodellen i Hofors\n\n"
    "Kvarnbomodellen samlar handläggare från kommunen och Arbetsförmedlingen i samma lokal två dagar i veckan. "
    "Deltagarna får en gemensam plan och en kontaktperson som följer dem hela vägen till arbete.\n"
)
NEW_DOCUMENT_QUESTION = "Hur fungerar kvarnbomodellen?"


def _table(number: int, topic: str, leader: str) -> str:
    extra = f"{SIP_SENTENCE} " if topic == "SIP" else ""
    return (
        f"Bord {number}\n\nSamverkan kring {topic}\n\nSamtalsledare: {leader}\n\n"
        f"{extra}Deltagarna beskrev hur samverkan kring {topic} mellan kommunen, regionen, Försäkringskassan "
        "och Arbetsförmedlingen fungerar i vardagen och var de största hindren för samverkan finns. "
        f"Flera menade att samverkan om {topic} kräver gemensamma mål, tydlig ansvarsfördelning och att "
        "handläggarna får tid att lära känna varandras uppdrag och regelverk. "
        f"Gruppen föreslog att samordningsförbundet tar initiativ till återkommande träffar om {topic} där "
        f"samverkan följs upp med konkreta exempel, och bord {number} enades om att börja med {topic}.\n\n"
    )


BOT_CORPUS = {
    "dialogbord-samverkan.txt": f"{DIALOGUE_TITLE}\n\n" + "".join(
        _table(number, topic, leader) for number, (topic, leader) in enumerate(TOPICS, start=1)
    ),
    "fontanhus.txt": WORKSHOP_TEXT,
}
