//! The guard's vocabulary: what each word does in a clause (a preference cue, a noun
//! for the worker or for the family, a language word…) and which protected ground a
//! word names, in every gender and number.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::grounds::Ground;
use super::normalise::skeleton;

/// What a word does around a protected word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Nothing the guard looks at.
    Plain,
    /// Restricts or prefers: "solo", "no", "meglio", "deve", "only"…
    Cue,
    /// A plain negation ("non", "not"): also how facts are denied ("la signora non è…").
    Neg,
    /// Seeks someone: "cerchiamo", "serve", "looking"…
    Seek,
    /// Names the worker sought: "badante", "colf", "persona", "nanny"…
    Worker,
    /// Names the family or the person cared for: "nonna", "famiglia", "mother"…
    Family,
    /// "signora"/"signore": the person cared for, unless sought ("cerchiamo una signora").
    Signora,
    /// A thing an origin word can describe: food, television, customs, laundry…
    Thing,
    /// Language use: what follows is a language, a lawful requirement.
    Lang,
    /// Makes the clause about experience, not the person.
    Experience,
    /// "qualsiasi", "indifferente", "regardless": the clause lifts a criterion.
    Neutral,
    /// A preposition that hands what follows to someone or somewhere else.
    HandOff,
    /// Describes the subject: "è", "ha", "is"…
    Copula,
    /// An age bound: "massimo", "sotto", "over", "tra"…
    Quant,
    /// Articles, "se", "di", "che"…: words a cue reaches across.
    Filler,
}

/// How much context a protected word needs before it is a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// A criterion unless it describes the family ("etnia", "età", "giovane").
    Strong,
    /// Also a criterion when the clause holds nothing else ("Italiane.").
    Standalone,
    /// Only with a cue, a seek verb or a worker noun ("sana", "bianca", "vedova").
    Weak,
    /// Only right after a seek verb or a cue ("cerchiamo una signora").
    Sought,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub ground: Ground,
    pub strength: Strength,
    /// Also a common proper name ("Bianca", "Latina"): skipped when capitalised.
    pub name_clash: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub role: Role,
    pub term: Option<Term>,
}

pub struct Lexicon {
    words: HashMap<String, Entry>,
}

impl Lexicon {
    pub fn get(&self, key: &str) -> Entry {
        self.words.get(key).copied().unwrap_or(Entry {
            role: Role::Plain,
            term: None,
        })
    }

    pub fn role(&self, key: &str) -> Role {
        self.get(key).role
    }

    fn set_role(&mut self, role: Role, words: &str) {
        for w in words.split_whitespace() {
            self.words
                .entry(skeleton(w))
                .or_insert(Entry { role, term: None })
                .role = role;
        }
    }

    fn set_term(&mut self, ground: Ground, strength: Strength, words: &str) {
        for w in words.split_whitespace() {
            self.words
                .entry(skeleton(w))
                .or_insert(Entry {
                    role: Role::Plain,
                    term: None,
                })
                .term = Some(Term {
                ground,
                strength,
                name_clash: false,
            });
        }
    }

    /// Adjectives by stem, in the endings given ("rumen" + a/e/i/o).
    fn set_stems(&mut self, ground: Ground, strength: Strength, stems: &str, ends: &[&str]) {
        for stem in stems.split_whitespace() {
            for end in ends {
                self.set_term(ground, strength, &format!("{stem}{end}"));
            }
        }
    }

    fn weaken(&mut self, words: &str) {
        for w in words.split_whitespace() {
            if let Some(Entry { term: Some(t), .. }) = self.words.get_mut(&skeleton(w)) {
                t.strength = Strength::Weak;
            }
        }
    }

    fn clash(&mut self, words: &str) {
        for w in words.split_whitespace() {
            if let Some(Entry { term: Some(t), .. }) = self.words.get_mut(&skeleton(w)) {
                t.name_clash = true;
            }
        }
    }
}

/// Words a cue or a seek verb reaches across ("meglio *se* italiana", "cerchiamo *una*…").
pub const FILLERS: &str =
    "il lo la l i gli le un uno una se di del dell della dello dei degli delle d da dal \
     dalla con col coi che essere sia siano abbia abbiano avere troppo molto tanto piu \
     persone assolutamente rigorosamente tassativamente e o oppure anche a an the be of \
     with or and possibilmente problemi impegni vincoli legami carichi fatto too very any \
     extra nata nate nato nati iscritta iscritte iscritto iscritti idee sesso nazionalita \
     origine religione fede eta piccoli born grazie please favore nascita si ok \
     practising practicing programmi programma intenzione piani progetti prevede preveda \
     faccia fare iscrizione trade doc vera vere pura puro godere gode goda problema \
     perfettamente completamente totalmente rimanere restare rimanga resti";

/// Nouns of a body side: "emiparesi di sinistra" is medicine, not politics.
pub const SIDES: &[&str] = &[
    "lato",
    "parte",
    "mano",
    "braccio",
    "gamba",
    "piede",
    "fianco",
    "occhio",
    "orecchio",
    "anca",
    "emiparesi",
    "emiplegia",
    "spalla",
    "ginocchio",
    "corsia",
    "porta",
    "stanza",
];

pub fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(build)
}

fn build() -> Lexicon {
    use Ground::*;
    use Strength::*;
    let mut l = Lexicon {
        words: HashMap::new(),
    };
    l.set_role(Role::Filler, FILLERS);
    l.set_role(
        Role::Cue,
        "solo soltanto solamente esclusivamente unicamente preferibilmente preferibile \
         preferibili preferenza preferenze preferiamo preferisco preferisce preferiscono \
         preferirei preferiremmo preferirebbe preferita preferite preferito preferiti \
         prediligiamo privilegiamo gradita gradite gradito graditi graditissima graditissime \
         gradirei gradiremmo gradirebbe gradiscono meglio magari idealmente ideale no niente \
         nessuna nessun nessuno evitare evitiamo evitate escluse esclusi esclusa escluso \
         escludere tranne eccetto fuorche purche deve devono dev dovra dovrebbe richiesta \
         richiesto richieste richiesti requisito requisiti indispensabile obbligatorio \
         obbligatoria necessario necessaria necessarie astenersi accettiamo accettate senza \
         libera libero vanno only never prefer prefers preferably preferred preference \
         ideally must should required requirement except exclusively avoid without free \
         strictly nope",
    );
    l.set_role(Role::Neg, "non not");
    l.set_role(
        Role::Seek,
        "cerchiamo cerco cerca cercasi cercano cercate ricerchiamo vogliamo voglio vuole \
         vogliono vorremmo vorrei vorrebbe desideriamo desidera desiderano serve servono \
         servirebbe occorre occorrono assumiamo assumere selezioniamo want wants wanted \
         looking seeking need needs needed hire hiring searching",
    );
    l.set_role(
        Role::Worker,
        "badante badanti colf babysitter sitter tata tate domestica domestiche domestico \
         domestici collaboratrice collaboratrici collaboratore assistente assistenti \
         lavoratrice lavoratrici lavoratore lavoratori persona candidata candidate candidato \
         candidati governante governanti operatrice operatrici operatore aiutante cameriera \
         cuoca signorina signorine ragazza ragazze donna donne uomo uomini femmina femmine \
         maschio maschi qualcuno qualcuna chi cittadina cittadine cittadino cittadini \
         caregiver caregivers carer carers housekeeper nanny nannies maid helper worker \
         workers candidates person people someone somebody applicant applicants staff woman \
         women man men girl girls citizens citizen au personale nationals national",
    );
    l.set_role(
        Role::Family,
        "signori nonna nonno nonni mamma madre padre papa babbo marito moglie figlio figlia \
         figli figlie bambino bambina bimbo bimba bimbi neonato neonata neonati ragazzo \
         ragazzi famiglia famiglie coppia anziano anziana anziani anziane paziente pazienti \
         assistito assistita malato malata zio zia suocera suocero fratello sorella lui lei \
         entrambi genitori bambini lady ladies vedovo vedova mother mum mom father dad \
         grandmother grandma grandfather grandpa granny husband wife son daughter family \
         child children kids baby patient client he she him her parents parent couple \
         gentleman elderly",
    );
    l.set_role(Role::Signora, "signora signore sig sigra");
    l.set_role(
        Role::Thing,
        "cucina cucinare cucini piatti piatto cibo ricette ricetta tradizioni tradizione \
         usanze abitudini costumi feste festa festivita canali tv televisione musica cultura \
         film chiesa moschea sinagoga tempio parrocchia comunita preghiera preghiere \
         calendario dieta alimentazione capi vestiti bucato biancheria vino olio prodotti \
         auto macchina mobili stile cuisine food dishes recipes cooking cook cooks music \
         church mosque channels holidays traditions customs diet pane pasta carne mercato \
         negozio patronato sede caf",
    );
    l.set_role(
        Role::Lang,
        "parla parlano parlare parlato parlata parlante parli lingua lingue madrelingua \
         dialetto capisce capiscono comprende conoscenza conosce scritto scritta fluente \
         livello traduce tradurre legge leggere scrivere lezioni compiti insegnare buon buono \
         ottimo discreto base corrente a1 a2 b1 b2 c1 c2 speaks speak speaking speaker \
         speakers language languages understands fluent basic accento telegiornale giornale \
         libri",
    );
    l.set_role(
        Role::Experience,
        "esperienza esperienze esperta esperto lavorato referenze experience experienced \
         worked formazione corso",
    );
    l.set_role(
        Role::Neutral,
        "qualsiasi qualunque indipendentemente indifferente indifferentemente importa conta \
         distinzione distinzioni any regardless irrespective matter matters ogni tutte tutti \
         benvenute benvenuti welcome",
    );
    l.set_role(
        Role::HandOff,
        "ad al alla allo ai alle agli presso in nel nella nei nelle verso to at from for by \
         dall dallo dai dalle sul sulla su tra fra per",
    );
    l.set_role(
        Role::Copula,
        "è sono era erano sara ha hanno aveva avevano vive vivono is are was were has have \
         porta indossa",
    );
    l.set_role(
        Role::Quant,
        "massimo massima max minimo minima min sotto under over oltre entro tra fra dai sui \
         sugli sulla below above aged between piu meno almeno superiore inferiore superare \
         superi supera superato older younger than",
    );

    // Nationality: demonyms by stem, in every gender and number. Masculine singular
    // forms are also language names ("parla rumeno"): the clause tells them apart.
    l.set_stems(
        Nationality,
        Standalone,
        "italian ester rumen romen moldav ucrain peruvian filippin marocchin nigerian tunisin \
         egizian indian ecuadorian colombian brasilian american russ bulgar georgian tedesc \
         spagnol polacc bolivian cuban domenican argentin venezuelan algerin etiop eritre \
         somal ghanes serb croat bosniac kosovar macedon slovacc cec lituan letton eston \
         bielorus armen turc siran iranian afgan extracomunitari comunitari stranier immigrat \
         forestier nostran autocton europe cines albanes senegales bengales srilankes \
         singales frances ingles giappones portoghes congoles olandes irlandes scozzes",
        &["a", "e", "i", "o", "he", "hi", "he"],
    );
    l.set_term(
        Nationality,
        Standalone,
        "pakistana pakistane pakistani pakistano nordafricana italiana italian italians \
         romanian romanians foreign foreigner foreigners immigrant immigrants ukrainian \
         ukrainians albanian albanians moroccan moroccans filipino filipina filipinos \
         filipinas polish russian russians european europeans peruvian peruvians moldovan \
         moldovans eastern nigerian nigerians chinese indian indians natives native ue eu \
         noneu extraue dellest",
    );
    l.set_term(
        Nationality,
        Strong,
        "nazionalita nationality cittadinanza citizenship passaporto passport",
    );

    // Ethnicity.
    l.set_stems(
        Ethnicity,
        Standalone,
        "african asiatic arab slav magrebin latinoamerican sudamerican zingar caucasic nomad \
         orientale ispanic",
        &["a", "e", "i", "o", "he", "hi"],
    );
    l.set_term(
        Ethnicity,
        Standalone,
        "rom sinti orientali african africans asian asians arab arabs gypsy gypsies latina \
         latine latino latinos hispanic caucasian slavic nordafricane nordafricani",
    );
    l.set_term(
        Ethnicity,
        Strong,
        "etnia etnie etnica etnico etniche etnici razza razze razziale ethnicity ethnic race",
    );
    l.clash("latina latino");
    // Language names: a person only with a cue, a seek verb or a worker noun ("Lingue:
    // italiano, rumeno" is no criterion; "badante rumeno" is).
    l.weaken(
        "italiano rumeno romeno moldavo ucraino russo bulgaro georgiano tedesco spagnolo \
         polacco cinese albanese francese inglese giapponese portoghese arabo serbo croato \
         turco persiano",
    );

    // Religion.
    l.set_stems(
        Religion,
        Standalone,
        "musulman islamic cristian cattolic ortodoss ebre ebraic evangelic protestant buddist \
         induist ate geovist valdes avventist mormon",
        &["a", "e", "i", "o", "he", "hi"],
    );
    l.set_term(
        Religion,
        Standalone,
        "muslim muslims christian christians catholic catholics jewish jews jew hindu atheist \
         atheists religious credente credenti praticante praticanti religiosa religiose \
         religioso geova jehovah sikh islam mussulmana mussulmane",
    );
    l.set_term(
        Religion,
        Weak,
        "velo veli hijab burqa burka chador niqab veil headscarf turbante",
    );
    l.set_term(Religion, Strong, "religione religion confessione");

    // Skin colour.
    l.set_stems(
        SkinColour,
        Weak,
        "bianc ner",
        &["a", "e", "i", "o", "he", "hi"],
    );
    l.set_term(
        SkinColour,
        Standalone,
        "mulatta mulatte mulatto negra negre negri negro colored coloured",
    );
    l.set_term(
        SkinColour,
        Weak,
        "white whites black blacks scura scure chiara chiare olivastra",
    );
    l.set_term(SkinColour, Strong, "skinned carnagione");
    l.clash("bianca bianchi bianco nero neri");

    // Sex.
    l.set_term(
        Sex,
        Standalone,
        "donna donne uomo uomini femmina femmine maschio maschi femminile maschile woman \
         women female females men man",
    );
    l.set_term(Sex, Weak, "male males lady ladies girl girls");
    l.set_term(
        Sex,
        Sought,
        "signora signore signorina signorine ragazza ragazze ragazzo",
    );
    l.set_term(Sex, Strong, "sesso gender");
    l.set_term(Sex, Weak, "genere");

    // Age.
    l.set_term(
        Age,
        Strong,
        "giovane giovani giovanissima giovanissime giovanissimo young youthful eta age \
         ventenne trentenne quarantenne cinquantenne sessantenne ventenni trentenni \
         quarantenni cinquantenni sessantenni giovanile",
    );
    l.set_term(
        Age,
        Weak,
        "anziana anziane anziano anziani vecchia vecchie vecchio vecchi under over pensionata \
         pensionate pensionato older old younger quarantina cinquantina trentina sessantina \
         matura mature",
    );

    // Disability and health.
    l.set_term(
        Disability,
        Weak,
        "sana sane sano sani salute disabile disabili disabilita invalida invalide invalido \
         invalidi invalidita handicap handicappata handicappate malattie malattia patologie \
         patologia healthy disabled disability disabilities illness illnesses bodied \
         acciacchi fisicamente integra menomazioni",
    );

    // Family status.
    l.set_term(
        FamilyStatus,
        Standalone,
        "nubile nubili celibe single sposata sposate sposato sposati coniugata coniugate \
         coniugato divorziata divorziate fidanzata fidanzate married unmarried childless",
    );
    l.set_term(
        FamilyStatus,
        Weak,
        "figli figlio figlie bambini familiari famigliari famiglia marito vedova vedove \
         separata separate kids children husband",
    );

    // Pregnancy and maternity.
    l.set_term(
        Pregnancy,
        Standalone,
        "incinta incinte gravidanza gravidanze gravida pregnant pregnancy maternita maternity",
    );

    // Sexual orientation.
    l.set_term(
        SexualOrientation,
        Standalone,
        "omosessuale omosessuali gay lesbica lesbiche eterosessuale eterosessuali etero \
         bisessuale bisessuali transessuale transessuali trans lgbt lgbtq queer homosexual \
         homosexuals straight gays heterosexual lesbian lesbians",
    );

    // Political opinion.
    l.set_term(
        PoliticalOpinion,
        Standalone,
        "comunista comuniste comunisti fascista fasciste fascisti antifascista antifasciste \
         leghista leghiste leghisti communist communists fascist leftist politicizzata",
    );
    l.set_term(
        PoliticalOpinion,
        Weak,
        "politica politiche politico politici partito partiti political politics militante \
         militanti attivista attiviste wing voto vota votato",
    );

    // Union membership.
    l.set_term(
        UnionMembership,
        Standalone,
        "sindacalista sindacaliste sindacalisti sindacalizzata sindacalizzate unionized \
         unionised",
    );
    l.set_term(
        UnionMembership,
        Weak,
        "sindacato sindacati sindacale sindacali cgil cisl uil ugl vertenza vertenze union \
         unions tessera",
    );
    l
}
