#!/usr/bin/env python3
"""Writes the insult rules that share word lists (data/rules/insult.tsv, the block between
the BEGIN and END lines) from the lists and frames below.

An insult is a word for a person in a frame that aims it at someone: "sei un X", "il
sindaco e un X", "quel X", "X!" alone, "manica di X". The word lists are long and every
frame needs them, so they live here once and each rule gets them written out: pcre2 finds a
rule's anchors (the words the lexicon pass looks for before the rule runs) only in literal
alternations, not through subroutine calls, and an unanchored rule runs on every comment.

It also writes data/lexicons/person-words.tsv, every word of those lists as the
vocabulary "person": the rules that need one of them name it in their seventh field and
run only when one occurred, which the lexicon pass finds in one scan of the comment.

usage: scripts/insult-rules.py          rewrite the block and the vocabulary
       scripts/insult-rules.py --check  exit 1 if either is not what this writes
"""
import itertools
import os
import re
import sys

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
TSV = os.path.join(DATA, "rules", "insult.tsv")
VOCABULARY = os.path.join(DATA, "lexicons", "person-words.tsv")
BEGIN = "# BEGIN rules written by scripts/insult-rules.py: edit the script, not these lines"
END = "# END rules written by scripts/insult-rules.py"

# Words for a person that insult wherever they are aimed, also after "quel"/"sto".
# Pattern view: lower case, no accents ("nullita"); "_" stands for a space.
PERSON_WORDS = """
idiot[aie] imbecill[ei] cretin[oaie] cretinett[io] defici?ent[ei] coglion[eia] coglionazz[oi] cojon[eia]
cojonazz[oi] stronz[oaie] stronzon[ei] strunz[oaie]? scem[oaie] ebet[ei] dement[ei] mentecatt[oaie]
babbe[oaie] citrull[oaie] scimunit[oaie] rincoglionit[oaie] rincojonit[oaie] rimbambit[oaie]
rincitrullit[oaie] minchion[ei] pirla pirlon[ei] fess[oaie] somar[oaie] capron[ei] pecoron[ei] verm[ei]
parassit[aie] sanguisug(?:a|he) sciacall[oi] avvoltoi(?:o)? pagliacc(?:io|i|ia|e) buffon[ei] burattin[oi]
zerbin[oi] lacche leccapiedi lecchin[oaie] ruffian[oaie] leccacul[oi] portaborse farabutt[oaie]
mascalzon[ei] furfant[ei] manigold[oi] canagli[ae] cialtron[ei] lestofant[ei] imbroglion[ei]
bugiard[oaie] mentitor[ei] mentitric[ei] ipocrit[aie] vigliacc(?:o|a|hi|he) codard[oaie] infam[ei]
carogn[ae] pezzent[ei] nullita sfigat[oaie] rosicon[ei] sbruffon[ei] sbruffoncell[oi] spaccon[ei]
fanfaron[ei] chiacchieron[ei] tuttolog[oaie] tuttologhi cafon[eia] zotic(?:o|a|i|he) bifolc(?:o|a|hi|he)
buzzurr[oaie] burin[oaie] tamarr[oaie] zarr[oaie] truzz[oaie] ignorant[ei] analfabet[aie] fannullon[ei]
scansafatiche scaldasedie scaldapoltrone lavativ[oaie] sfaticat[oaie] nullafacent[ei] mangiapane
ciccion[eai] grasson[eai] racchi[ae] scorfan[oi] bambinon[ei] mammon[ei] moccios[oaie] squilibrat[oaie]
psicopatic(?:o|a|i|he) ritardat[oaie] mongoloid[ei] subnormal[ei] cerebroles[oaie] decerebrat[oaie]
troglodit[aie] cavernicol[oaie] neanderthal arpi[ae] meger[ae] cornut[oaie] quaquaraqua
baleng(?:o|a|hi|he) bauscia ciula belinon[ei] fregnon[ei] mam?maluc(?:co|chi) fetent[ei] merdacci[ae]
ochett[ae] amebe? gentaglia marmaglia plebaglia feccia smidollat[oaie] rammollit[oaie] pusillanim[ei]
ominicchi[oi] omuncol[oi] fdp clown mort[oaie]_di_fame buon[oaie]_a_(?:nulla|niente) buoni_a_(?:nulla|niente)
pallon[ei]_gonfiat[oi] mezz[ae]_calzett[ae] mezz[ae]_?seg[ae] mezzeseghe svampit[oaie] sapienton[ei]
bamboccion[ei] microcefal[oaie] pelandron[ei] taccagn[oaie] tirch[ie] banderuol[ae] buffoncell[oi] mafiosett[oi]
zuccon[ei] illus[oaie] venditor[ei]_di_fumo leon[ei]_da_tastiera bamba scappati_di_casa cervell[oi]_in_pappa
testa_vuota teste_vuote testa_bacata strunzu
"""
# Words that insult a person but are ordinary after a demonstrative or in a report
# ("quelle vendute ieri", "quel ladro che ha rubato la bici"): every frame but that one.
REPORT_WORDS = """
ladr[oaie] ladron[ei] vendut[oaie] corrott[oaie] mafios[oaie] delinquent[ei] criminal[ei]
truffator[ei] poveracc(?:io|i|ia|e) disgraziat[oaie] sciagurat[oaie] fallit[oaie] perdent[ei]
frustrat[oaie] repress[oaie] maleducat[oaie] villan[oaie] mostr[oi] strega streghe
megalomane befan[ae] troll prepotent[ei] dittatorell[oi] podesta snob vandal[oi] pirat[ai] ubriacon[ei]
drogat[oaie]
"""
# Animals and things said of a person: only where a copula aims them ("sei una capra").
ANIMALS = """
capr[ae] asin[oaie] ciucc[oi] ciucciu oca oche gallin[ae] maial[ei] porc[oaie] scrof[ae] vacc(?:a|he)
cagn[ae] besti[ae] animal[ei] scimmi[ae] scimmion[ei] ien[ae] viper[ae] serp[ei] serpent[ei]
zecc(?:a|he) ratt[oi] pidocchi?o bue buoi mul[oi] can[ei] top[oi]_di_fogna balen[ae] nan[oi] tapp[oi]
pupazz[oi] marionett[ae]
"""
# Adjectives of a person: only after "sei" or a person's copula ("il progetto e ridicolo"
# is criticism).
ADJECTIVES = """
stupid[oaie] ridicol[oaie] patetic(?:o|a|i|he) penos[oaie] squallid[oaie] meschin[oaie] miserabil[ei]
viscid[oaie] schifos[oaie] lurid[oaie] limitat[oaie] ottus[oaie] invidios[oaie] presuntuos[oaie]
spocchios[oaie] saccent[ei] inutil[ei] indegn[oaie] disgustos[oaie] ributtant[ei] mediocr[ei]
insignificant[ei] brutt[oaie] grass[oaie] vergognos[oaie] malat[oaie]_di_mente malat[oaie]_mental[ei]
fuori_di_testa senza_cervello sporc[oaie] tard[oaie] arrogant[ei] spregevol[ei] viziat[oaie] senza_cuore
senza_spina_dorsale senza_vergogna
"""
# Said of a person only after "sei": "sei falso". "Incapaci", "incompetenti" are about
# the work: harsh criticism, which the policies keep ("Siete degli incapaci").
INCOMPETENT = "fals[oaie]"
# Animals said of a person that are the whole comment ("maiale!"); not those a one-word
# answer names ("cane", "bue").
ALONE_ANIMALS = """
capr[ae] asin[oaie] somar[oaie] oca oche gallin[ae] maial[ei] porc[oaie] scrof[ae] vacc(?:a|he) besti[ae]
animal[ei] scimmi[ae] scimmion[ei] ien[ae] viper[ae] zecc(?:a|he) pidocchi?o top[oi]_di_fogna
"""
# An adjective that is the whole comment: "patetico", "lurido".
ALONE_ADJECTIVES = """
patetic(?:o|a|i|he) lurid[oaie] viscid[oaie] squallid[oaie] meschin[oaie] schifos[oaie] arrogant[ei]
tont[oaie] fuori_di_testa stupid[oaie]
"""
# Praise said in sarcasm: "complimenti genio", "fenomeno 🤦".
IRONY = """
genio geni einstein fenomen[oi] scienziat[oi] statist[ai] luminare cervellone volpone premio_nobel
genio_incompreso mente_eccelsa grandi_geni geni_del_male genio_del_male
"""
PERSON = ("(?:sindac[oa]|assessor[ei]|assessora|consiglier[ei]|vigil[ei]|president[ei]|impiegat[oaie]|"
          "funzionari[oa]?|dirigent[ei]|politic[oi]|primo cittadino|prima cittadina)")
# Between "sei" and the word: "sei proprio un", "siete i soliti", "sei una persona".
QUALIFIER = (
    "(?:(?:proprio|solo|davvero|veramente|sempre|ancora|cosi|talmente|tanto|troppo|solamente|soltanto|"
    "semplicemente|decisamente|completamente|totalmente|stat[oaie]|il solito|la solita|i soliti|le solite|"
    "un vero|una vera|dei veri|delle vere|un gran|una gran|un grande|una grande|un emerito|una emerita|"
    "degli emeriti|delle emerite|il piu grande|la piu grande|il piu|la piu|gran|grandissim[oaie]|un povero|"
    "una povera|dei poveri|delle povere|una persona|delle persone|un essere|un individuo|un uomo|una donna|"
    "un|uno|una|dei|degli|delle|na|nu|il|la|i|le|gli|nient'altro che|nient altro che)(?: |(?<=un|una|l|n)'))")
SUBJECT = ("(?:lei|lui|quello|quella|quelli|quelle|tizio|tizia|costui|costei|chi (?:l'|lo |la |li |le )?ha "
           "(?:[a-z]{1,20} ){0,2}[a-z]{1,20}|(?:il |la |l'|quel |quell'|sto |"
           "questo |questa |il nostro |la nostra |il vostro |la vostra )?" + PERSON + "(?: [a-z]+)?)")
DEMONSTRATIVE = ("(?:quel|quello|quella|quei|quegli|quelle|quell'|sto|sti|ste|'sto|'sta|questo|questa|questi|"
                 "queste|chillu|chillo|chella|chilli|stu)")
CLOWN = "(?:\\x{1F921}|\\x{1F4A9})"
FACEPALM = "(?:\\x{1F926}|\\x{1F644})"


def alt(words):
    """The words as a flat alternation: what a rule anchored on them needs (the anchors are
    its literals), and the slower form to match."""
    return "(?:" + "|".join(w.replace("_", " ") for w in words.split()) + ")"


def split_top(s):
    parts, depth, cur = [], 0, ""
    for c in s:
        if c == "|" and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += {"(": 1, ")": -1}.get(c, 0)
        cur += c
    return parts + [cur]


def expand(word):
    """Every string a list word stands for: [ab] classes, (?:x|y) groups, a "?" after a
    letter, class or group, "_" for a space."""
    units, i = [], 0
    while i < len(word):
        c = word[i]
        if c == "[":
            j = word.index("]", i)
            opts, i = list(word[i + 1:j]), j + 1
        elif word.startswith("(?:", i):
            depth, j = 1, i + 3
            while depth:
                depth += {"(": 1, ")": -1}.get(word[j], 0)
                j += 1
            opts, i = [x for part in split_top(word[i + 3:j - 1]) for x in expand(part)], j
        else:
            opts, i = [" " if c == "_" else c], i + 1
        if i < len(word) and word[i] == "?":
            opts, i = opts + [""], i + 1
        units.append(opts)
    return ["".join(p) for p in itertools.product(*units)]


def trie_node(node):
    kids = sorted(k for k in node if k)
    if not kids:
        return ""
    branches = [re.escape(k).replace("\\ ", " ").replace("\\'", "'") + trie_node(node[k]) for k in kids]
    if all(len(b) == 1 for b in branches) and len(branches) > 1:
        body = "[" + "".join(branches) + "]"
    elif len(branches) == 1:
        body = branches[0]
    else:
        body = "(?:" + "|".join(branches) + ")"
    if "" in node:
        body = body + "?" if len(branches) == 1 and len(body) == 1 or body.startswith("[") else "(?:" + body + ")?"
    return body


def trie(*lists):
    """The words as one prefix tree: pcre2 tries a flat alternation's words one by one at
    every start, a tree only along the letters that match. It has no literal of three
    letters, so only a rule anchored on other words can use it."""
    root = {}
    for words in lists:
        for w in words.split():
            for s in expand(w):
                node = root
                for ch in s:
                    node = node.setdefault(ch, {})
                node[""] = {}
    return "(?:" + trie_node(root) + ")"


N, R, A, ADJ = (alt(PERSON_WORDS), alt(REPORT_WORDS), alt(ANIMALS), alt(ADJECTIVES))
ANY_T = trie(PERSON_WORDS, REPORT_WORDS, ANIMALS, ADJECTIVES, INCOMPETENT)
NR_T = trie(PERSON_WORDS, REPORT_WORDS)
NRADJ_T = trie(PERSON_WORDS, REPORT_WORDS, ADJECTIVES, INCOMPETENT)
NADJ_T = trie(PERSON_WORDS, ADJECTIVES)
ALONE_T = trie(ALONE_ANIMALS, ALONE_ADJECTIVES)
ADJ_T = trie(ADJECTIVES)
APPOSED = ("(?:un|una|uno|dei|degli|delle|solo un|solo una|solo dei|solo delle|un altro|un'altra|un vero|una vera) "
           + NRADJ_T + "\\b")
Q = QUALIFIER
# Plurals a crowd is made of that are not person words on their own.
CROWD_WORDS = "fannulloni scrocconi raccomandati mummie smidollati scemi yes_men"
# The word as a sentence of its own, after at most a few words of address. These rules
# start with "^" or a sentence's end, which pcre2 finds at once, so they need no anchor
# and take the faster tree of words.
ALONE = ("(?:@?[a-z]{1,20}, )?(?:(?:ma|ah|eh|oh|ehi|che|brutt[oaie]|razza di|pezzo di|pezzi di|grandissim[oaie]|"
         "gran|emerit[oaie]|solit[oaie]|classic[oaie]|ennesim[oaie]|vecchi[oaie]|pover[oaie]|lurid[oaie]|sporc[oaie]|"
         "schifos[oaie]|boomer|sei|siete) ){0,3}(?:un |una |uno |dei |degli |delle |un')?"
         + NR_T + "(?:(?: e| ed|,) " + NRADJ_T + "){0,3}(?: che no[n]? (?:sei|siete) altro)?[^a-z0-9]{0,20}"
         "(?:$|[.!?])")

# (id, what it catches, pattern)
RULES = [
    ("re.insult.you_are", 'said to you: "sei proprio un idiota", "siete delle bestie"; "sei ladri" with '
     'nothing between is the number six, "non sei un idiota" is not an insult',
     "(?<!non )\\b(?:sei " + Q + "{1,3}|(?:siete|sembri|sembrate|resti|restate|rimani|rimanete|site) " + Q
     + "{0,3})(?:" + ANY_T + "|[a-z]{2,20} " + ADJ_T + ")\\b|(?<!non )\\bsei (?![a-z]+i\\b)" + NRADJ_T + "\\b"),
    ("re.insult.person_is", 'said of a person: "il sindaco e un buffone", "lei e una persona squallida"',
     "\\b" + SUBJECT + " (?:e|sono|resta|rimane|restano|rimangono|=) " + Q + "{0,3}" + ANY_T + "\\b"),
    ("re.insult.title_word", 'a title and the word: "sindaco ladro", "assessore incapace e bugiardo"',
     "\\b" + PERSON + " (?:[a-z]+ (?:e|ed) )?" + NR_T + "\\b"),
    ("re.insult.that_one", 'after a demonstrative: "quei somari dell\'ufficio", "sto pagliaccio"',
     "\\b" + DEMONSTRATIVE + " (?:gran |brutt[oaie] |pover[oaie] |lurid[oaie] |sporc[oaie] |grandissim[oaie] )?"
     + trie(PERSON_WORDS) + "\\b"),
    ("re.insult.alone", 'the word as the first sentence or said first to someone: "ignoranti!", "vecchio '
     'rincoglionito", "maiale", "patetico", "parassita, vivi alle spalle nostre"',
     "^(?:" + ALONE + "|" + ALONE_T + "(?: " + ALONE_T + "){0,3}[^a-z0-9]{0,20}$|(?:@?[a-z]{1,20} )?"
     + trie(PERSON_WORDS, REPORT_WORDS, "patetic[io] gufi? volpone") + "[,:!] )"),
    ("re.insult.alone_later", 'the word as a later sentence or said last: "Non fate niente. Fannulloni!", '
     '"ma statte zitto, strunz"',
     "[.!?] (?:(?:ma|che|brutt[oaie]) )?(?:un |una |uno |dei |degli |delle |un')?" + NR_T + "(?:(?: e| ed|,) "
     + NRADJ_T + "){0,3}[^a-z0-9]{0,20}(?:$|[.!?])|, " + trie(PERSON_WORDS, "oca gufo iena") + "[^a-z0-9]{0,20}$|[.!?] " + ALONE_T
     + "[^a-z0-9]{0,20}$"),
    ("re.insult.apposition", 'the word in apposition: "Un burino che di cultura non capisce nulla", "Un '
     'bugiardo seriale", "solo dei vermi possono farlo"',
     "[.!?:,;] " + APPOSED),
    ("re.insult.apposition_first", 'the same at the start: "Un bugiardo, ecco cosa sei"', "^" + APPOSED),
    ("re.insult.of_person", 'the word of a title: "il ciccione del consigliere", "quella nana della vicesindaca"',
     "\\b(?:il|la|lo|l'|i|le|gli|quel|quella|quello|quei|quelle|quegli|sto|sta) " + trie(PERSON_WORDS,
     REPORT_WORDS, "nan[oaie]") + " (?:del|della|dello|dell'|dei|degli|delle|di) ?" + PERSON),
    ("re.insult.you_do", 'what an animal does, said to you: "starnazzi come una gallina", "vali zero", '
     '"hai un neurone"',
     "\\b(?:abbai|starnazzi|ragli|grugnisci|squittisci|sbraiti come un)\\b|\\b(?:non )?vali (?:zero|meno di zero|"
     "niente|nulla|poco)\\b|\\b(?:un|un solo|mezzo|due) neuron[ei]\\b"),
    ("re.insult.che_persona", '"che persona viscida", "bauscia che non sei altro"',
     "\\bche (?:persona|individuo|soggetto|elemento|tipo|tipa|razza) " + NADJ_T + "\\b"
     "|\\b[a-z']{3,} che (?:non|nun|nn) (?:sei|si|siete|site) (?:altro|artro|atro)\\b"),
    ("re.insult.irony", 'praise in sarcasm: "complimenti genio", "bravo il nostro Einstein", "fenomeno 🤦"',
     "\\b(?:complimenti|bravo|brava|bravi|brave|grande|ecco|eccolo|eccola|ciao|mamma mia|ma guarda|ha parlato|"
     "parla|arriva|applauso)[ ,!]+(?:(?:al|allo|all'|il|lo|l'|la|un|una|un altro|a|nostro|nostra|vostro|"
     "vostra|solito|solita) ?){0,3}" + alt(IRONY) + "\\b|\\b" + alt(IRONY) + "[^a-z0-9.!?]{0,20}" + FACEPALM),
    ("re.insult.da_operetta", '"sindaco da operetta", "professorone dei miei stivali", "Sherlock Holmes dei '
     'poveri"',
     "\\b(?:" + PERSON + "|politicant[ei]|professor[a-z]*|espert[oi]|tuttolog[a-z]*|affarist[ai]|"
     "giornalist[ai]|avvocat[a-z]*|ingegner[a-z]*|architett[a-z]*|dottor[a-z]*|sceriff[oi]|sherlock holmes|"
     "einstein|statist[ai]|amministrator[ei]|leader|capo|capetto) (?:da (?:operetta|strapazzo|quattro soldi|"
     "due soldi|baraccone|circo|bar sport|avanspettacolo)|dei miei stivali|dei poveri)\\b"),
    ("re.insult.brain", '"hai il cervello fuso", "con il cervello di una gallina", "testa vuota"',
     "\\b(?:hai|ha|avete|hanno|con|senza) (?:il |un |la |una )?(?:cervello (?:di (?:una |un |un')?(?:gallina|"
     "formica|criceto|moscerino|ameba|pesce rosso|lumaca|zanzara)|da (?:gallina|criceto|formica|moscerino)|"
     "fuso|bacato|in pappa|in vacanza|in fumo|spento|in ferie|atrofizzato|piccolo come)|testa vuota|"
     "testa bacata|segatura in testa)\\b"),
    ("re.insult.brain_of", '"l\'intelligenza di un criceto", "un QI cosi basso" (what an office does, "la '
     'sensibilita di un muro", is criticism)',
     "\\b(?:intelligenza|acume|quoziente intellettivo|cervello) (?:di|da|pari a quella di|"
     "paragonabile a quella di) (?:un|una|un') ?(?:sasso|ameba|ippopotamo|pietra|mattone|comodino|lampione|"
     "sedia|paracarro|zucchina|capra|gallina|ombrello bucato|cactus|muro|scarpa|tostapane|ciabatta|mollusco|"
     "ostrica|lombrico|frigorifero|soprammobile|pesce|ramarro|cozza|termosifone|criceto|tartaruga|lampadina|"
     "orango|ferro da stiro|lavatrice|pesce rosso|zanzara|moscerino)\\b"
     "|\\b(?:qi|quoziente intellettivo) (?:cosi |talmente |da |di |sotto )?(?:basso|bassissimo|negativo|"
     "sottozero|scarso)\\b"),
    ("re.insult.like_a", '"ignorante come una capra"',
     "\\b(?:ignorant|stupid|scem|cretin|tont|brutt|grass|sporc|puzzolent|rozz)[a-z]* come (?:un |una |uno |"
     "l'|la |il )?(?:capra|asino|somaro|mulo|bue|gallina|oca|scimmia|maiale|porco|zappa|pigna|sasso|comodino|"
     "lampione|scarpa|cozza)\\b"),
    ("re.insult.crowd", 'a crowd of them: "manica di incapaci", "branco di ignoranti", "specie di idiota"',
     "\\b(?:manica|branco|banda|massa|accozzaglia|covo|mandria|gregge|sacco|mucchio|manipolo|combriccola|"
     "congrega|razza|cricca|ciurma|orda|specie|sottospecie|pezzo|pezzi|giunta|amministrazione|staff) "
     "(?:di |d')(?:" + NR_T + "|" + alt(CROWD_WORDS) + ")\\b"),
    ("re.insult.clown", 'a clown or a turd beside a person: "assessore al circo 🤡", "💩 sei tu"',
     CLOWN + "[^.!?]{0,40}\\b(?:" + PERSON + "|giunta|sei|siete)\\b|\\b(?:" + PERSON
     + "|giunta|sei|siete)\\b[^.!?]{0,40}" + CLOWN),
    ("re.insult.clown_alone", 'one to three clowns or turds as the whole comment (more are a flood)',
     "^\\s*" + CLOWN + "(?:\\s*" + CLOWN + "){0,2}\\s*$"),
]


# The rules that match only around one of the vocabulary's words.
GATED = {"re.insult.you_are", "re.insult.person_is", "re.insult.title_word", "re.insult.that_one",
         "re.insult.alone", "re.insult.alone_later", "re.insult.apposition",
         "re.insult.apposition_first", "re.insult.of_person", "re.insult.crowd"}
# Every word a gated rule can match as its insult.
VOCABULARY_WORDS = (PERSON_WORDS, REPORT_WORDS, ANIMALS, ADJECTIVES, INCOMPETENT, ALONE_ANIMALS,
                    ALONE_ADJECTIVES, "patetic[io] gufi? volpone oca gufo iena nan[oaie]", CROWD_WORDS)


def block():
    lines = [BEGIN]
    for rule_id, what, pattern in RULES:
        lines.append("# " + rule_id + ": " + what)
        fields = [rule_id, "insult", "medium", "0.85", "-", pattern]
        if rule_id in GATED:
            fields.append("person")
        lines.append("\t".join(fields))
    lines.append(END)
    return "\n".join(lines) + "\n"


def vocabulary():
    words = sorted({w for words in VOCABULARY_WORDS for word in words.split() for w in expand(word)})
    head = ("# Written by scripts/insult-rules.py from its word lists: edit the script, not this file.\n"
            "# The vocabulary \"person\": no label of its own, the gate of the insult frames.\n")
    return head + "".join(w + "\tperson\tlow\t-\n" for w in words)


def main():
    text = open(TSV, encoding="utf-8").read()
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END + "\n", 1)[1]
    else:
        head, tail = text, ""
    new = head + block() + tail
    vocab = vocabulary()
    if "--check" in sys.argv[1:]:
        old_vocab = open(VOCABULARY, encoding="utf-8").read() if os.path.exists(VOCABULARY) else ""
        if new != text or vocab != old_vocab:
            sys.exit("data/rules/insult.tsv or data/lexicons/person-words.tsv is not what "
                     "scripts/insult-rules.py writes: run it")
        return
    with open(TSV, "w", encoding="utf-8") as f:
        f.write(new)
    with open(VOCABULARY, "w", encoding="utf-8") as f:
        f.write(vocab)


if __name__ == "__main__":
    main()
