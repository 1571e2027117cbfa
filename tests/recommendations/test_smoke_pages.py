from consult.extensions import db
from consult.recommendations import services

from ..conftest import login_as
from .helpers import make_recommendation, new_version


def test_pages_render(client, member, secretariat):
    rec = make_recommendation(member, state="deliberation", secretariat=secretariat)
    new_version(rec, member, rec.current_version.body + "\n\nUn nouveau paragraphe.")
    other = make_recommendation(state="consultation", secretariat=secretariat)
    services.add_comment(member, rec, body="Je soutiens.", stance="for", paragraph=2)
    services.propose_amendment(
        member,
        rec,
        base_version=rec.current_version,
        paragraph=1,
        kind="replace",
        text="Texte remplacé.",
        justification="Plus clair.",
    )
    db.session.commit()
    login_as(client, secretariat)
    for url in [
        "/recommendations/",
        "/recommendations/?q=donnees",
        "/recommendations/new",
        f"/recommendations/{rec.reference}",
        f"/recommendations/{rec.reference}/edit",
        f"/recommendations/{rec.reference}/versions",
        f"/recommendations/{rec.reference}/versions/1",
        f"/recommendations/{rec.reference}/compare?from=1&to=2",
        f"/recommendations/{rec.reference}/sponsors",
        f"/recommendations/{rec.reference}/amendments",
        f"/recommendations/{rec.reference}/amendments/new",
        f"/recommendations/{rec.reference}/comments/new",
        f"/recommendations/{other.reference}",
        "/secretariat/themes",
        "/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
