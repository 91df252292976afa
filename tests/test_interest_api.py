"""/api/v1/interests: employees read and register their own interest, coordinators their
employees'; anyone else's is not found (issue 18, item 6)."""

from datetime import timedelta

from app.bookings.interest import today


def _body(world_ids, **extra):
    return {
        "model_id": world_ids["model"],
        "from_date": today().isoformat(),
        "to_date": (today() + timedelta(days=40)).isoformat(),
        **extra,
    }


def test_an_employee_registers_reads_and_withdraws_their_own(app, make, api):
    with app.app_context():
        company = make.company(municipality="Gällivare")
        anna = make.employee(company)
        ids = {"model": make.model().id}
        call = api(anna)
        made = call("POST", "/interests", json=_body(ids))
        assert made.status_code == 201, made.get_json()
        interest = made.get_json()
        assert interest["employee_id"] == anna.id and interest["municipality"] == "Gällivare"
        assert made.headers["Location"].endswith(f"/interests/{interest['id']}")
        assert call("GET", f"/interests/{interest['id']}").status_code == 200
        listed = call("GET", "/interests").get_json()
        assert [i["id"] for i in listed["items"]] == [interest["id"]]
        again = call("POST", "/interests", json=_body(ids))
        assert again.status_code == 409 and again.get_json()["code"] == "interest_exists"
        past = call(
            "POST", "/interests", json=_body(ids, from_date=(today() - timedelta(1)).isoformat())
        )
        assert past.status_code == 409 and past.get_json()["code"] == "interest_period"
        # The API's dates have no calendar widget's bounds: year 9999 is no interest.
        far = call(
            "POST", "/interests", json=_body(ids, from_date="9999-12-31", to_date="9999-12-31")
        )
        assert far.status_code == 409 and "inom ett år" in far.get_json()["detail"]
        assert call("DELETE", f"/interests/{interest['id']}").status_code == 204
        gone = call("GET", f"/interests/{interest['id']}")
        assert gone.status_code == 404 and gone.get_json()["code"] == "interest_ended"
        assert call("DELETE", f"/interests/{interest['id']}").status_code == 404
        listed = call("GET", "/interests").get_json()["items"]
        assert listed[0]["end_reason"] == "withdrawn"


def test_a_coordinator_acts_for_their_employees_only(app, make, api):
    with app.app_context():
        works, other = make.company(), make.company()
        anna, olle = make.employee(works), make.employee(other)
        cia = make.person(("coordinator",), company=works)
        stranger = make.person(("coordinator",), company=other)
        ids = {"model": make.model().id}
        cia_api, stranger_api = api(cia), api(stranger)
        made = cia_api("POST", "/interests", json=_body(ids, employee_id=anna.id))
        assert made.status_code == 201
        interest_id = made.get_json()["id"]
        company = cia_api("GET", "/interests?scope=company").get_json()["items"]
        assert [i["employee_id"] for i in company] == [anna.id]
        assert cia_api("GET", f"/interests?employee_id={anna.id}").status_code == 200
        # Another company's coordinator: the employee and the interest are not found.
        assert stranger_api("GET", f"/interests/{interest_id}").status_code == 404
        assert stranger_api("DELETE", f"/interests/{interest_id}").status_code == 404
        assert stranger_api("GET", f"/interests?employee_id={anna.id}").status_code == 404
        assert (
            stranger_api("POST", "/interests", json=_body(ids, employee_id=anna.id)).status_code
            == 404
        )
        assert stranger_api("GET", "/interests?scope=company").get_json()["items"] == []
        assert (
            cia_api("POST", "/interests", json=_body(ids, employee_id=olle.id)).status_code == 404
        )
        # An employee may not read the company's list.
        assert api(anna)("GET", "/interests?scope=company").status_code == 403
        assert api(olle)("GET", f"/interests/{interest_id}").status_code == 404


def test_a_coordinator_who_is_no_participant_cannot_register_interest_for_themself(app, make, api):
    """Interest leads to a booking; the booking's rule (active participants only) holds."""
    with app.app_context():
        works = make.company()
        cia = make.person(("coordinator",), company=works)
        ids = {"model": make.model().id}
        cia_api, cia_id = api(cia), cia.id
    for body in (_body(ids), _body(ids, employee_id=cia_id)):
        refused = cia_api("POST", "/interests", json=body)
        assert refused.status_code == 409 and refused.get_json()["code"] == "employee_inactive"
        assert "anmäla intresse" in refused.get_json()["detail"]
    assert cia_api("GET", "/interests").get_json()["items"] == []
