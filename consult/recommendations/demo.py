"""Demo recommendations: one or more in every state, with versions, amendments and comments.

Everything goes through the services and the state machine, by the actors who would really
act, so that the audit log and each public timeline read as they would in production.
`seed(secretariat, members)` is called by `flask consult demo` once the accounts exist;
members are 30 users, 10 per college, in the order state, private sector, civil society.
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from . import lifecycle, services
from .models import Recommendation, Theme

# Rapporteurs and co-sponsors are (college, index) in the demo's member list.
COLLEGE_OFFSET = {"state": 0, "private_sector": 10, "civil_society": 20}

REGISTRE_V1 = """\
Le Conseil recommande la création d'un **registre national des entreprises du numérique**, \
tenu par l'Autorité malienne de régulation des télécommunications, des TIC et des postes \
(AMRTP).

Le registre recense toute entreprise immatriculée au Mali dont l'activité principale relève \
du numérique : édition de logiciels, services informatiques, hébergement, intégration de \
systèmes, télécommunications, commerce électronique et services financiers numériques.

L'inscription est gratuite. Elle se fait en ligne, sur présentation du numéro \
d'immatriculation au registre du commerce et du crédit mobilier (RCCM) et du numéro \
d'identification fiscale.

Le registre est public. Il indique pour chaque entreprise sa raison sociale, ses domaines \
d'activité, sa localisation et ses effectifs par tranche."""

REGISTRE_V2 = """\
Le Conseil recommande la création d'un **registre national des entreprises du numérique**, \
tenu par l'Autorité malienne de régulation des télécommunications, des TIC et des postes \
(AMRTP), en lien avec l'Agence pour la promotion des investissements (API-Mali).

Le registre recense toute entreprise immatriculée au Mali dont l'activité principale relève \
du numérique : édition de logiciels, services informatiques, hébergement, intégration de \
systèmes, télécommunications, commerce électronique et services financiers numériques. \
Les entrepreneurs individuels et les start-up en incubation peuvent s'y inscrire.

L'inscription est gratuite. Elle se fait en ligne ou auprès des guichets régionaux de \
l'API-Mali, sur présentation du numéro d'immatriculation au registre du commerce et du \
crédit mobilier (RCCM) et du numéro d'identification fiscale.

Le registre est public. Il indique pour chaque entreprise sa raison sociale, ses domaines \
d'activité, sa localisation et ses effectifs par tranche. Les données personnelles des \
dirigeants n'y figurent pas.

L'AMRTP publie chaque année une synthèse statistique du secteur tirée du registre, \
ventilée par région et par domaine d'activité."""

REGISTRE_V3 = REGISTRE_V2.replace(
    "ventilée par région et par domaine d'activité.",
    "ventilée par région, par domaine d'activité et selon le genre des dirigeants.",
)

LABEL_V1 = """\
Le Conseil recommande la création d'un **label « Prestataire numérique de confiance »** \
attribué aux entreprises de services informatiques qui respectent un référentiel de qualité \
publié.

Le référentiel porte sur la compétence du personnel, la documentation des prestations, la \
sécurité des données confiées, la continuité de service et le traitement des réclamations.

Le label est délivré pour trois ans par un comité composé à parts égales de représentants \
de l'État, des organisations professionnelles et des associations d'usagers, après un audit \
réalisé par un organisme indépendant.

Les très petites entreprises bénéficient d'un audit simplifié et d'une prise en charge \
partielle de son coût."""

LABEL_V2 = (
    LABEL_V1.replace(
        "partielle de son coût.",
        "partielle de son coût par le Fonds d'appui à la formation professionnelle et à "
        "l'apprentissage (FAFPA).",
    )
    + "\n\nLa liste des entreprises labellisées, avec la date d'échéance de leur label, est "
    "publiée et tenue à jour."
)

MARCHES_V1 = """\
Le Conseil recommande d'insérer des **clauses numériques types** dans les dossiers d'appel \
d'offres de l'État et des collectivités pour l'acquisition de logiciels, de matériels et de \
services informatiques.

Tout marché de logiciel prévoit la remise du code source, ou son dépôt auprès d'un tiers de \
confiance, et la documentation nécessaire à sa maintenance par un autre prestataire.

Les données produites dans le cadre du marché appartiennent à l'administration. Le \
prestataire les restitue dans un format ouvert et documenté à la fin du contrat.

Les cahiers des charges privilégient les standards ouverts et l'interopérabilité avec les \
systèmes existants de l'administration.

Une part des marchés de services informatiques, fixée par arrêté, est réservée aux \
entreprises inscrites au registre national des entreprises du numérique."""

CERTIF_V1 = """\
Le Conseil recommande la mise en place d'une **certification professionnelle des métiers du \
numérique**, reconnue par l'État et par les employeurs.

Une première liste de métiers est retenue : développeur d'applications, administrateur \
systèmes et réseaux, technicien de maintenance, analyste en cybersécurité et gestionnaire de \
données.

Pour chaque métier, un référentiel de compétences est élaboré par les établissements \
d'enseignement, les organisations professionnelles et l'administration, puis révisé tous les \
trois ans.

La certification est accessible par la formation initiale, la formation continue et la \
validation des acquis de l'expérience, afin de reconnaître les nombreux professionnels \
formés sur le terrain.

Les marchés publics de services informatiques peuvent exiger qu'une part du personnel \
affecté à la prestation soit certifiée."""

CHARTE_V1 = """\
Le Conseil supérieur du numérique est une instance consultative qui réunit l'État, le \
secteur privé et la société civile. Il formule des recommandations publiques sur la \
normalisation, la professionnalisation et la régulation du secteur du numérique.

Chaque collège désigne ses membres selon ses propres règles. Un membre siège à titre \
personnel et déclare ses intérêts au moment de sa désignation.

Les projets de recommandation sont délibérés entre membres, soumis à une consultation \
publique d'au moins trente jours, puis votés. Le compte rendu des votes est public.

Le secrétariat permanent publie les décisions du Conseil, la synthèse de chaque \
consultation et un rapport annuel d'activité."""

CHARTE_V2 = CHARTE_V1.replace(
    "puis votés. Le compte rendu des votes est public.",
    "puis votés. Une recommandation n'est adoptée que si elle recueille la majorité dans \
chacun des trois collèges. Le compte rendu des votes est public.",
)

HEBERGEMENT_V1 = """\
Le Conseil recommande que les **données des administrations publiques** soient hébergées \
sur le territoire national ou, à défaut, dans un pays offrant un niveau de protection \
reconnu par l'Autorité de protection des données à caractère personnel (APDP).

Les données sensibles — état civil, santé, fiscalité, sécurité — sont hébergées \
exclusivement au Mali, dans des centres de données répondant à un niveau de disponibilité \
défini par l'AGETIC.

Les contrats d'hébergement conclus par l'administration prévoient la réversibilité : le \
transfert des données vers un autre hébergeur, sans frais disproportionnés, dans un délai \
fixé au contrat.

Un inventaire des systèmes d'information de l'État et de leur lieu d'hébergement est établi \
dans un délai d'un an et mis à jour chaque année."""

HEBERGEMENT_V2 = HEBERGEMENT_V1.replace(
    "dans un délai d'un an et mis à jour chaque année.",
    "dans un délai d'un an et mis à jour chaque année. Un plan de migration des données \
sensibles hébergées à l'étranger est publié dans le même délai.",
)

ECOLE_V1 = """\
Le Conseil recommande l'introduction d'un **enseignement obligatoire d'informatique** dès la \
première année du second cycle de l'enseignement fondamental.

L'enseignement couvre l'usage raisonné des outils numériques, les bases de l'algorithmique \
et la protection de la vie privée en ligne.

Chaque école fondamentale est équipée d'une salle informatique connectée d'ici cinq ans.

Les enseignants reçoivent une formation continue certifiante, organisée par les académies \
d'enseignement avec les écoles normales."""

MOBILE_MONEY_V1 = """\
Le Conseil recommande l'**interopérabilité des services de monnaie électronique** \
(« mobile money ») proposés au Mali, afin qu'un client puisse envoyer de l'argent vers un \
compte de n'importe quel opérateur.

L'interopérabilité passe par la plateforme de la Banque centrale des États de l'Afrique de \
l'Ouest (BCEAO), conformément au cadre régional en vigueur dans l'UEMOA.

Les frais d'un transfert entre opérateurs ne dépassent pas ceux d'un transfert au sein d'un \
même opérateur.

Les agents de distribution peuvent servir les clients de tous les opérateurs, sans clause \
d'exclusivité."""

REFERENTIEL_V1 = """\
Le Conseil recommande l'adoption d'un **référentiel général d'interopérabilité** des \
systèmes d'information de l'État.

Le référentiel fixe les formats d'échange, les identifiants communs (personnes, entreprises, \
localités) et les règles de publication des interfaces de programmation.

Il est rendu opposable aux projets informatiques de l'administration financés à partir de \
l'exercice budgétaire suivant son adoption."""

CONNECTIVITE_V1 = """\
Le Conseil recommande un **programme de connectivité des communes rurales**, financé par le \
Fonds d'accès universel aux services de télécommunications.

Chaque chef-lieu de commune dispose d'un point d'accès public à l'internet, installé dans un \
centre de santé, une école ou une mairie.

Les opérateurs qui bénéficient du fonds publient leurs taux de couverture et de \
disponibilité commune par commune."""


def _member(members, who):
    college, index = who
    return members[COLLEGE_OFFSET[college] + index]


def _create(members, *, rapporteur, sponsors, title, summary, body, themes):
    theme_ids = list(db.session.scalars(select(Theme.id).where(Theme.code.in_(themes))))
    author = _member(members, rapporteur)
    rec = services.create(
        author,
        title=title,
        summary=summary,
        body=body,
        theme_ids=theme_ids,
        change_note="Version initiale soumise par le rapporteur",
    )
    for who in sponsors:
        services.add_sponsor(author, rec, _member(members, who))
    return rec, author


def _edit(actor, rec, body, note, **changes):
    return services.edit(
        actor,
        rec,
        title=changes.get("title", rec.title),
        summary=changes.get("summary", rec.summary),
        body=body,
        theme_ids=[t.id for t in rec.themes],
        change_note=note,
        base_version_id=rec.current_version_id,
    )


def _amend(author, rec, paragraph, kind, text, justification):
    return services.propose_amendment(
        author,
        rec,
        base_version=rec.current_version,
        paragraph=paragraph,
        kind=kind,
        text=text,
        justification=justification,
    )


def seed(secretariat, members) -> dict:
    """Create the demo recommendations unless some exist; returns what was made."""
    services.ensure_default_themes(secretariat)
    if db.session.scalar(select(Recommendation.id).limit(1)) is not None:
        return {"recommendations": 0}
    move = lifecycle.transition
    m = lambda college, index: _member(members, (college, index))  # noqa: E731
    made = []

    # 1. Published: the national register of digital companies (three versions).
    rec, rapporteur = _create(
        members,
        rapporteur=("private_sector", 0),
        sponsors=[("state", 1), ("civil_society", 1), ("private_sector", 5)],
        title="Registre national des entreprises du numérique",
        summary=(
            "Créer un registre public et gratuit des entreprises du numérique, pour mieux "
            "connaître le secteur, orienter les politiques publiques et rendre les "
            "entreprises visibles."
        ),
        body=REGISTRE_V1,
        themes=["standardisation", "digital_economy"],
    )
    move(rapporteur, rec, "deliberation")
    services.add_comment(
        m("state", 1),
        rec,
        body="L'API-Mali tient déjà des guichets régionaux : il faudrait les associer.",
        stance="for",
        paragraph=1,
    )
    _edit(rapporteur, rec, REGISTRE_V2, "Association de l'API-Mali, inscription des start-up")
    move(secretariat, rec, "consultation")
    move(secretariat, rec, "consolidation")
    _edit(rapporteur, rec, REGISTRE_V3, "Prise en compte de la consultation publique")
    move(secretariat, rec, "voting")
    move(None, rec, "adopted")
    move(secretariat, rec, "published")
    made.append(rec)

    # 2. In public consultation: a quality label for IT service providers.
    rec, rapporteur = _create(
        members,
        rapporteur=("private_sector", 5),
        sponsors=[("private_sector", 6), ("civil_society", 1)],
        title="Label qualité des prestataires de services informatiques",
        summary=(
            "Un label attribué après audit aux prestataires qui respectent un référentiel "
            "de qualité, pour aider les clients publics et privés à choisir."
        ),
        body=LABEL_V1,
        themes=["professionalisation", "standardisation"],
    )
    move(rapporteur, rec, "deliberation")
    services.add_comment(
        m("civil_society", 1),
        rec,
        body=(
            "Les consommateurs doivent pouvoir vérifier qu'un label est encore valide : "
            "publions la liste des entreprises labellisées."
        ),
        stance="for",
        paragraph=4,
    )
    _edit(rapporteur, rec, LABEL_V2, "Financement de l'audit par le FAFPA ; liste publique")
    move(secretariat, rec, "consultation")
    made.append(rec)

    # 3. In consolidation, with amendments in every state: IT clauses in public procurement.
    rec, rapporteur = _create(
        members,
        rapporteur=("state", 5),
        sponsors=[("private_sector", 0), ("civil_society", 4)],
        title="Clauses numériques types dans la commande publique",
        summary=(
            "Des clauses types dans les marchés informatiques de l'État : code source, "
            "propriété et restitution des données, standards ouverts."
        ),
        body=MARCHES_V1,
        themes=["regulation", "e_government"],
    )
    move(rapporteur, rec, "deliberation")
    accepted = _amend(
        m("civil_society", 4),
        rec,
        3,
        "replace",
        "Les données produites dans le cadre du marché appartiennent à l'administration. Le "
        "prestataire les restitue dans un format ouvert et documenté à la fin du contrat, et "
        "au plus tard dans les trente jours suivant sa résiliation.",
        "Sans délai, la restitution des données peut être retardée indéfiniment.",
    )
    rejected = _amend(
        m("private_sector", 3),
        rec,
        2,
        "delete",
        "",
        "La remise du code source décourage les éditeurs de logiciels propriétaires.",
    )
    contested = _amend(
        m("private_sector", 1),
        rec,
        5,
        "replace",
        "Une part des marchés de services informatiques, fixée par arrêté, est réservée aux "
        "petites et moyennes entreprises maliennes du numérique.",
        "Le critère de l'inscription au registre est trop étroit ; visons les PME.",
    )
    withdrawn = _amend(
        m("state", 2),
        rec,
        4,
        "insert_after",
        "L'AGETIC rend un avis technique sur tout cahier des charges de plus de cent "
        "millions de francs CFA.",
        "Garantir la cohérence des systèmes de l'État.",
    )
    _amend(  # left open: the rapporteur has not answered yet
        m("civil_society", 0),
        rec,
        1,
        "replace",
        "Le Conseil recommande d'insérer des **clauses numériques types** dans les dossiers "
        "d'appel d'offres de l'État, des établissements publics et des collectivités "
        "territoriales pour l'acquisition de logiciels, de matériels et de services "
        "informatiques.",
        "Les établissements publics passent une grande part des marchés informatiques.",
    )
    services.accept_amendment(rapporteur, accepted)
    services.reject_amendment(
        rapporteur,
        rejected,
        "Le dépôt auprès d'un tiers de confiance protège déjà les intérêts des éditeurs.",
    )
    services.withdraw_amendment(m("state", 2), withdrawn)
    services.put_amendment_to_vote(secretariat, contested)
    first = services.add_comment(
        m("private_sector", 3),
        rec,
        body=(
            "La remise du code source pose problème pour les logiciels sur étagère. "
            "Prévoyons l'entiercement comme règle générale."
        ),
        stance="against",
        paragraph=2,
    )
    reply = services.add_comment(
        m("state", 5),
        rec,
        body="Le texte le permet déjà : « ou son dépôt auprès d'un tiers de confiance ».",
        stance=None,
        parent=first,
    )
    services.add_comment(
        m("private_sector", 3),
        rec,
        body="Dont acte, merci pour la précision.",
        stance=None,
        parent=reply,
    )
    services.add_comment(
        m("civil_society", 4),
        rec,
        body="Texte équilibré ; les standards ouverts sont essentiels pour l'État.",
        stance="for",
    )
    move(
        secretariat,
        rec,
        "consolidation",
        "Les clauses doivent figurer dans le nouveau code des marchés publics, dont "
        "l'adoption est prévue ce trimestre.",
    )
    made.append(rec)

    # 4. In deliberation: professional certification, a lively discussion.
    rec, rapporteur = _create(
        members,
        rapporteur=("civil_society", 4),
        sponsors=[("state", 3), ("private_sector", 2)],
        title="Certification professionnelle des métiers du numérique",
        summary=(
            "Reconnaître les compétences des professionnels du numérique par une "
            "certification par métier, accessible aussi par la validation des acquis."
        ),
        body=CERTIF_V1,
        themes=["professionalisation", "skills"],
    )
    move(rapporteur, rec, "deliberation")
    question = services.add_comment(
        m("state", 7),
        rec,
        body="Qui délivre la certification ? Le texte ne désigne pas d'organisme.",
        stance="neutral",
    )
    services.add_comment(
        rapporteur,
        rec,
        body="Bonne remarque : je proposerai un organisme paritaire dans la prochaine version.",
        stance=None,
        parent=question,
    )
    edited = services.add_comment(
        m("private_sector", 9),
        rec,
        body="Cinq métiers, c'est trop peu.",
        stance="against",
        paragraph=2,
    )
    services.edit_comment(
        m("private_sector", 9),
        edited,
        body=(
            "Cinq métiers, c'est trop peu pour commencer : ajoutons chef de projet "
            "numérique et designer d'interfaces."
        ),
        stance="against",
    )
    regret = services.add_comment(
        m("civil_society", 6), rec, body="Je retire cette remarque.", stance="neutral"
    )
    services.delete_comment(m("civil_society", 6), regret)
    off_topic = services.add_comment(
        m("private_sector", 4),
        rec,
        body="Quelqu'un connaît un bon fournisseur de climatiseurs pour salle serveur ?",
        stance="neutral",
    )
    services.delete_comment(secretariat, off_topic)
    _amend(
        m("private_sector", 9),
        rec,
        2,
        "replace",
        "Une première liste de métiers est retenue : développeur d'applications, "
        "administrateur systèmes et réseaux, technicien de maintenance, analyste en "
        "cybersécurité, gestionnaire de données, chef de projet numérique et designer "
        "d'interfaces.",
        "Deux métiers très demandés par les entreprises manquent à la liste.",
    )
    gone = _amend(
        m("state", 3),
        rec,
        5,
        "delete",
        "",
        "Exiger du personnel certifié dès maintenant exclurait la plupart des PME.",
    )
    services.withdraw_amendment(m("state", 3), gone)
    made.append(rec)

    # 5. Adopted, awaiting publication: the council's charter.
    rec, rapporteur = _create(
        members,
        rapporteur=("civil_society", 0),
        sponsors=[("state", 0), ("private_sector", 0)],
        title="Charte du Conseil supérieur du numérique",
        summary=(
            "Les règles de fonctionnement du Conseil : composition, déclaration d'intérêts, "
            "délibération, consultation publique et vote."
        ),
        body=CHARTE_V1,
        themes=["regulation"],
    )
    move(rapporteur, rec, "deliberation")
    services.add_comment(
        m("state", 0),
        rec,
        body="Il faut préciser la règle de majorité : par collège ou par tête ?",
        stance="neutral",
        paragraph=3,
    )
    _edit(rapporteur, rec, CHARTE_V2, "Majorité dans chacun des trois collèges")
    move(secretariat, rec, "consultation")
    move(None, rec, "consolidation")
    move(secretariat, rec, "voting")
    move(None, rec, "adopted")
    made.append(rec)

    # 6. Being voted: hosting of public data and sovereignty.
    rec, rapporteur = _create(
        members,
        rapporteur=("state", 4),
        sponsors=[("private_sector", 4), ("civil_society", 5)],
        title="Hébergement des données publiques et souveraineté numérique",
        summary=(
            "Héberger au Mali les données sensibles de l'État, garantir la réversibilité des "
            "contrats et inventorier les systèmes d'information publics."
        ),
        body=HEBERGEMENT_V1,
        themes=["data_protection", "infrastructure"],
    )
    move(rapporteur, rec, "deliberation")
    move(secretariat, rec, "consultation")
    move(secretariat, rec, "consolidation")
    _edit(rapporteur, rec, HEBERGEMENT_V2, "Plan de migration des données sensibles")
    move(secretariat, rec, "voting")
    made.append(rec)

    # 7. Not adopted: compulsory computing lessons at school.
    rec, rapporteur = _create(
        members,
        rapporteur=("civil_society", 9),
        sponsors=[("state", 3)],
        title="Enseignement obligatoire de l'informatique à l'école fondamentale",
        summary="Un enseignement d'informatique obligatoire et des salles équipées.",
        body=ECOLE_V1,
        themes=["skills"],
    )
    move(rapporteur, rec, "deliberation")
    services.add_comment(
        m("state", 5),
        rec,
        body="Le calendrier d'équipement en cinq ans n'est pas finançable en l'état.",
        stance="against",
        paragraph=3,
    )
    move(secretariat, rec, "consultation")
    move(None, rec, "consolidation")
    move(secretariat, rec, "voting")
    move(None, rec, "rejected")
    made.append(rec)

    # 8. Draft, with co-sponsors from the three colleges: mobile money interoperability.
    rec, _rapporteur = _create(
        members,
        rapporteur=("private_sector", 7),
        sponsors=[("state", 5), ("civil_society", 1), ("private_sector", 3)],
        title="Interopérabilité des services de mobile money",
        summary=(
            "Permettre les transferts entre tous les opérateurs de monnaie électronique, à un "
            "coût qui ne dépasse pas celui d'un transfert interne."
        ),
        body=MOBILE_MONEY_V1,
        themes=["digital_finance", "digital_economy"],
    )
    made.append(rec)

    # 9. Withdrawn during deliberation: the State's interoperability framework.
    rec, rapporteur = _create(
        members,
        rapporteur=("state", 2),
        sponsors=[],
        title="Référentiel général d'interopérabilité des systèmes de l'État",
        summary="Des formats et identifiants communs pour les systèmes d'information publics.",
        body=REFERENTIEL_V1,
        themes=["standardisation", "e_government"],
    )
    move(rapporteur, rec, "deliberation")
    move(
        rapporteur,
        rec,
        "withdrawn",
        "L'AGETIC a engagé l'élaboration de ce référentiel par voie réglementaire ; le Conseil "
        "rendra un avis sur le projet le moment venu.",
    )
    made.append(rec)

    # 10. Another draft: rural connectivity.
    rec, _rapporteur = _create(
        members,
        rapporteur=("civil_society", 8),
        sponsors=[("state", 6)],
        title="Connectivité des communes rurales",
        summary="Un point d'accès public à l'internet dans chaque chef-lieu de commune.",
        body=CONNECTIVITE_V1,
        themes=["infrastructure"],
    )
    made.append(rec)
    db.session.flush()
    return {"recommendations": len(made)}
