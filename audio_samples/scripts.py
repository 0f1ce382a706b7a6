"""Dialogue scripts of the sample calls, as data.

Each turn is ``(speaker, gap_s, text)``: ``gap_s`` is the pause from the end of the
latest earlier turn to the start of this one; negative means overlap (this turn starts
while the other speaker is still talking: an interruption in the poor calls, a short
customer backchannel inside an agent turn in the good calls). Numbers are written as words.
"""

from __future__ import annotations

from dataclasses import dataclass

Turn = tuple[str, float, str]


@dataclass(frozen=True)
class Voice:
    """espeak-ng voice settings for one speaker."""

    voice: str
    pitch: int
    speed_wpm: int


@dataclass(frozen=True)
class CallScript:
    name: str
    language: str
    quality: str
    turns: tuple[Turn, ...]


VOICES: dict[str, dict[str, Voice]] = {
    "fi": {"agent": Voice("fi+f3", 55, 165), "customer": Voice("fi+m3", 40, 160)},
    "sv": {"agent": Voice("sv", 55, 150), "customer": Voice("sv+m1", 30, 140)},
    "en": {"agent": Voice("en-us+f2", 60, 140), "customer": Voice("en-us+m1", 40, 135)},
}

A, C = "agent", "customer"

FI_GOOD = CallScript(
    "fi_good",
    "fi",
    "good",
    (
        (A, 0.0, "Hyvää päivää, nimeni on Anna, Perintä Oy. Miten voin auttaa?"),
        (C, 0.8, "Hei. Sain perintäkirjeen sähkölaskusta, ja olen aika huolissani."),
        (A, 0.6, "Kertoisitteko lisää tilanteestanne?"),
        (
            C,
            0.9,
            "No, jäin työttömäksi kaksi kuukautta sitten, enkä pysty maksamaan koko summaa nyt. "
            "Sähkölasku oli talvella todella iso, ja rahat ovat nyt tiukalla.",
        ),
        (A, 0.7, "Ymmärrän tilanteenne, kuulostaa todella hankalalta."),
        (C, 0.6, "Kiitos. Mitä tässä nyt voi tehdä?"),
        (
            A,
            0.8,
            "Kirjeessä mainitaan perintäkulut. Ne tarkoittavat, että laskuun lisätään pieni maksu perinnästä.",
        ),
        (C, 0.7, "Selvä. Mutta koko summa on minulle nyt liikaa."),
        (
            A,
            0.9,
            "Voimme tehdä maksusuunnitelman tai siirtää eräpäivää kuukaudella. Mikä sopisi teille?",
        ),
        (C, 1.2, "Maksusuunnitelma olisi parempi. Pystyisin maksamaan noin viisikymmentä euroa kuussa."),
        (A, 0.6, "Eli sovitaan, että maksatte viisikymmentä euroa kuussa, ensimmäinen erä viidestoista päivä."),
        (C, -2.6, "Joo."),
        (C, 0.5, "Kyllä, se sopii minulle hyvin."),
        (A, 0.7, "Lähetän vahvistuksen sähköpostiin tänään. Onko vielä jotain muuta?"),
        (C, 0.8, "Ei ole, tämä helpotti kovasti."),
        (A, 0.5, "Kiitos soitosta ja hyvää päivänjatkoa."),
        (C, 0.4, "Kiitos, hei hei."),
    ),
)

FI_POOR = CallScript(
    "fi_poor",
    "fi",
    "poor",
    (
        (A, 0.0, "Päivää. Mistä on kyse?"),
        (C, 0.9, "Hei. Sain perintäkirjeen sähkölaskusta."),
        (A, 0.4, "Laskunne on ollut maksamatta jo kolme kuukautta. Teidän olisi pitänyt maksaa ajoissa."),
        (
            C,
            0.7,
            "Niin, mutta jäin työttömäksi enkä pysty maksamaan koko summaa nyt. "
            "Sähkölasku oli talvella tosi iso, ja minulla on ollut muutenkin vaikeaa.",
        ),
        (
            A,
            -1.0,
            "Tämä on laiminlyönti. Summaan on lisätty perintäkulut ja viivästyskorko, "
            "ja teille tulee maksuhäiriömerkintä. Koko summa on maksettava kahden viikon kuluessa. "
            "Jos maksua ei tule, asia siirtyy ulosottoon, eikä siihen voi enää vaikuttaa. "
            "Säännöt ovat kaikille samat, eikä poikkeuksia tehdä.",
        ),
        (C, 0.8, "Mitä viivästyskorko tarkoittaa?"),
        (A, 0.5, "Se lukee kirjeessä. Odottakaa hetki."),
        (A, 11.5, "Niin, summa on nyt kuusisataakaksikymmentä euroa, ja se pitää maksaa kokonaan."),
        (C, 0.7, "En minä pysty maksamaan sitä kerralla. Voisinko maksaa osissa?"),
        (A, 0.3, "Koko summa on maksettava. Se on teidän vastuullanne."),
        (C, 0.9, "Entä jos maksan osan nyt?"),
        (
            A,
            0.3,
            "Ei käy. Teidän olisi pitänyt hoitaa asia aiemmin. "
            "Maksakaa eräpäivään mennessä, muuten asia menee ulosottoon.",
        ),
        (C, 1.0, "No, minä yritän."),
        (A, 0.3, "Selvä. Hei."),
    ),
)

SV_GOOD = CallScript(
    "sv_good",
    "sv",
    "good",
    (
        (A, 0.0, "God dag, jag heter Anna, Nordisk Inkasso. Hur kan jag hjälpa dig?"),
        (C, 0.8, "Hej. Jag har fått ett inkassobrev om elräkningen, och jag är orolig."),
        (A, 0.6, "Kan du berätta mer om din situation?"),
        (
            C,
            0.9,
            "Jag blev arbetslös för två månader sedan, och jag kan inte betala hela beloppet nu. "
            "Elräkningen var dessutom väldigt stor i vintras, och pengarna räcker inte till.",
        ),
        (A, 0.7, "Jag förstår din situation, det låter verkligen jobbigt."),
        (C, 0.6, "Tack. Vad kan jag göra nu?"),
        (
            A,
            0.8,
            "I brevet står det inkassoavgift. Det betyder att en liten avgift läggs till på räkningen.",
        ),
        (C, 0.7, "Jag förstår. Men hela beloppet är för mycket för mig nu."),
        (
            A,
            0.9,
            "Vi kan göra en betalningsplan eller flytta förfallodagen en månad. Vad skulle passa dig?",
        ),
        (C, 1.2, "En betalningsplan vore bättre. Jag kan betala ungefär femtio euro i månaden."),
        (A, 0.6, "Så vi kommer överens om att du betalar femtio euro i månaden, från den femtonde."),
        (C, -2.2, "Ja."),
        (C, 0.5, "Ja, det passar mig bra."),
        (A, 0.7, "Jag skickar en bekräftelse till din e-post i dag. Finns det något mer?"),
        (C, 0.8, "Nej, det var allt. Det här hjälpte verkligen."),
        (A, 0.5, "Tack för samtalet, och ha en fin dag."),
        (C, 0.4, "Tack, hej då."),
    ),
)

SV_POOR = CallScript(
    "sv_poor",
    "sv",
    "poor",
    (
        (A, 0.0, "Hallå. Vad gäller det?"),
        (C, 0.9, "Hej. Jag har fått ett inkassobrev om elräkningen."),
        (A, 0.4, "Räkningen har varit obetald i tre månader. Du borde ha betalat i tid."),
        (
            C,
            0.7,
            "Jag vet, men jag blev arbetslös, och jag kan inte betala hela beloppet nu. "
            "Elräkningen var väldigt stor i vintras, och det har varit svårt för mig.",
        ),
        (
            A,
            -1.0,
            "Det här är en försummelse, och det är ditt eget fel. Inkassoavgift och dröjsmålsränta har lagts till, "
            "och du får en betalningsanmärkning. Hela beloppet ska betalas inom två veckor. "
            "Om vi inte får betalningen går ärendet till utmätning, och då kan vi inte göra något mer. "
            "Reglerna är samma för alla, och vi gör inga undantag.",
        ),
        (C, 0.8, "Vad betyder dröjsmålsränta?"),
        (A, 0.5, "Det står i brevet. Vänta ett ögonblick."),
        (A, 11.5, "Ja. Summan är nu sexhundratjugo euro, och du måste betala allt."),
        (C, 0.7, "Jag kan inte betala allt på en gång. Kan jag betala i delar?"),
        (A, 0.3, "Nej. Hela beloppet ska betalas. Det är ditt ansvar."),
        (C, 0.9, "Men om jag betalar en del nu?"),
        (
            A,
            0.3,
            "Det går inte. Du borde ha skött det här tidigare. "
            "Betala före förfallodagen, annars går ärendet till utmätning.",
        ),
        (C, 1.0, "Jag får försöka."),
        (A, 0.3, "Okej. Hej."),
    ),
)

EN_GOOD = CallScript(
    "en_good",
    "en",
    "good",
    (
        (A, 0.0, "Good morning, my name is Emma, from North Collection Services. How can I help you today?"),
        (C, 0.8, "Hello. I got a collection letter about my electricity bill, and I am worried."),
        (A, 0.6, "Can you tell me more?"),
        (
            C,
            0.9,
            "Well, I lost my job two months ago, and I cannot pay all of it right now. "
            "The electricity bill was also very large this winter, and money is really tight.",
        ),
        (A, 0.7, "I understand your situation, that sounds really difficult."),
        (C, 0.6, "Thank you. So what can I do now?"),
        (
            A,
            0.8,
            "The letter mentions collection costs. This means that a small fee is added to what you owe.",
        ),
        (C, 0.7, "I see. But it is too much for me now."),
        (
            A,
            0.9,
            "We can make a payment plan, or move the payment date by one month. What would work for you?",
        ),
        (C, 1.2, "A payment plan would be better. I could pay about fifty euros a month."),
        (A, 0.6, "So we agree that you pay fifty euros a month, starting next month."),
        (C, -2.0, "Yes."),
        (C, 0.5, "Okay, that works for me."),
        (A, 0.7, "I will send a confirmation to your email address. Is there anything else?"),
        (C, 0.8, "No, nothing else. This really helps a lot."),
        (A, 0.5, "Thank you for calling, and have a nice day."),
        (C, 0.4, "Thank you, goodbye."),
    ),
)

EN_POOR = CallScript(
    "en_poor",
    "en",
    "poor",
    (
        (A, 0.0, "Hello. What do you want?"),
        (C, 0.9, "Hello. I got a collection letter about my electricity bill."),
        (A, 0.4, "The bill has not been paid for three months. You should have paid on time."),
        (
            C,
            0.7,
            "I know, but I lost my job, and I cannot pay all of it right now. "
            "The electricity bill was very large this winter, and things have been hard for me.",
        ),
        (
            A,
            -1.0,
            "This is a default on your payment, and it is your fault. Collection costs and late payment interest "
            "have been added, and you will get a payment default record. The full amount must be paid "
            "within two weeks. If we do not get the payment, the case goes to enforcement, and then "
            "there is nothing we can do. The rules are the same for everyone.",
        ),
        (C, 0.8, "Sorry, what does that mean?"),
        (A, 0.5, "Read the letter. Wait a moment."),
        (A, 11.5, "Right. The total is five hundred euros, and you have to pay all of it."),
        (C, 0.7, "I cannot pay that all at once. Can I pay a little every month?"),
        (A, 0.3, "No. The full amount must be paid. It is your responsibility."),
        (C, 0.9, "What if I pay some of it now?"),
        (
            A,
            0.3,
            "That is not possible. You should have dealt with this earlier. "
            "Pay the full amount by the end of the month, or the case goes to enforcement.",
        ),
        (C, 1.0, "Well, I will try."),
        (A, 0.3, "Okay, bye."),
    ),
)

EN_SHORT = CallScript(
    "en_short",
    "en",
    "short",
    (
        (A, 0.0, "Hello, my name is Emma. How can I help?"),
        (C, 0.6, "Hi, I got a letter about my bill."),
        (A, 0.5, "I understand. Let us look at it."),
        (C, 0.5, "Thank you."),
    ),
)

SCRIPTS: tuple[CallScript, ...] = (FI_GOOD, FI_POOR, SV_GOOD, SV_POOR, EN_GOOD, EN_POOR, EN_SHORT)
