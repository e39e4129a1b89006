"""`homeroom staff|student|user ...` as the Maple Valley personas: the policy decides, errors exit 1."""

from __future__ import annotations

import json

import pytest
from tests.cli.conftest import Invoke

pytestmark = pytest.mark.usefixtures("demo_math")
MATH = ("--tenant", "demo-math")


def test_a_principal_adds_a_teacher_at_her_school(homeroom: Invoke) -> None:
    result = homeroom(
        "staff", "add", *MATH, "--as", "priya_principal", "--username", "mei", "--role", "teacher",
        "--org", "lincoln_elem", "--given", "Mei", "--family", "Lee", "--email", "mei@example.org",
        "--id", "mei_teacher", "--password-stdin", stdin="long-enough-pw\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "created staff account mei_teacher (username mei)",
        "  name:        Mei Lee",
        "  email:       mei@example.org",
        "  status:      active",
        "  roles:       teacher@lincoln_elem",
        "  created by:  priya_principal",
        "  version:     1",
    ]


def test_an_invited_staff_account_comes_with_its_token(homeroom: Invoke) -> None:
    result = homeroom(
        "staff", "add", *MATH, "--as", "priya_principal", "--username", "new", "--role", "teacher",
        "--org", "lincoln_elem", "--invite", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["account"]["status"] == "invited"
    assert document["account"]["created_by"] == "priya_principal"
    assert len(document["invitation"]["token"]) >= 40
    readable = homeroom(
        "staff", "add", *MATH, "--as", "priya_principal", "--username", "new2", "--role", "teacher",
        "--org", "lincoln_elem", "--invite",
    )  # fmt: skip
    assert "invitation token (shown once, valid until " in readable.stdout


def test_a_teacher_may_not_add_staff(homeroom: Invoke) -> None:
    result = homeroom(
        "staff",
        "add",
        *MATH,
        "--as",
        "tomas_teacher",
        "--username",
        "x",
        "--role",
        "teacher",
        "--org",
        "lincoln_elem",
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error [forbidden]: tomas_teacher may not staff.create org:lincoln_elem")
    assert result.stdout == ""


def test_staff_errors(homeroom: Invoke) -> None:
    base = ("staff", "add", *MATH, "--username", "x", "--role", "teacher", "--org", "lincoln_elem")
    unknown = homeroom(*base, "--as", "nobody")
    assert unknown.exit_code == 1
    assert (
        "error [user_not_found]: tenant 'demo-math' has no account with username 'nobody'" in unknown.stderr
    )
    weak = homeroom(*base, "--as", "priya_principal", "--password-stdin", stdin="short\n")
    assert weak.exit_code == 1
    assert weak.stderr.startswith("error [weak_password]: a staff password needs 8")
    taken = homeroom(
        "staff", "add", *MATH, "--as", "priya_principal", "--username", "tomas_teacher", "--role", "teacher",
        "--org", "lincoln_elem",
    )  # fmt: skip
    assert taken.exit_code == 1
    assert "error [username_taken]" in taken.stderr
    empty = homeroom(*base, "--as", "priya_principal", "--password-stdin", stdin="")
    assert empty.exit_code == 2
    assert "stdin holds no password" in empty.stderr
    both = homeroom(*base, "--as", "priya_principal", "--password-stdin", "--invite")
    assert both.exit_code == 2
    missing = homeroom("staff", "add", *MATH, "--as", "priya_principal", "--username", "x")
    assert missing.exit_code == 2  # --role and --org are required


def test_a_teacher_adds_a_student_to_his_class(homeroom: Invoke) -> None:
    result = homeroom(
        "student", "add", *MATH, "--as", "tomas_teacher", "--username", "kid", "--class", "math_4a",
        "--given", "New", "--family", "Kid", "--password-stdin", "--json", stdin="abcd\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    account = json.loads(result.stdout)["account"]
    assert account["kind"] == "student"
    assert account["enrolled_in"] == ["math_4a"]
    assert account["orgs"] == ["lincoln_elem"]
    assert account["given_name"] == "New"


def test_student_errors(homeroom: Invoke) -> None:
    gated = homeroom(
        "student", "add", *MATH, "--as", "rosa_teacher", "--username", "k", "--class", "algebra_7"
    )
    assert gated.exit_code == 1
    assert gated.stderr.startswith("error [forbidden]: ")
    assert "teacher_student_creation" in gated.stderr
    hidden = homeroom(
        "student", "add", *MATH, "--as", "tomas_teacher", "--username", "k", "--class", "algebra_7"
    )
    assert hidden.exit_code == 1
    assert hidden.stderr.strip() == "error [class_not_found]: there is no class 'algebra_7'"
    nowhere = homeroom("student", "add", *MATH, "--as", "tomas_teacher", "--username", "k")
    assert nowhere.exit_code == 2
    assert "give --class (one or more) or --school" in nowhere.stderr


def test_show_an_account_the_actor_can_see(homeroom: Invoke) -> None:
    result = homeroom("user", "show", "sam_student", *MATH, "--as", "tomas_teacher")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        "student account sam_student (username sam_student)",
        "  name:        Sam Student",
        "  status:      active",
    ]
    assert "  enrolled in: math_4a" in result.stdout.splitlines()
    document = json.loads(
        homeroom("user", "show", "sam_student", *MATH, "--as", "tomas_teacher", "--json").stdout
    )
    assert document["enrolled_in"] == ["math_4a"]


def test_an_invisible_account_is_not_found(homeroom: Invoke) -> None:
    result = homeroom("user", "show", "sofia_student", *MATH, "--as", "tomas_teacher")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error [user_not_found]: there is no user 'sofia_student'"
    missing = homeroom("user", "show", "nobody", *MATH, "--as", "tomas_teacher", "--json")
    assert missing.exit_code == 1
    assert json.loads(missing.stdout)["error"]["message"] == "there is no user 'nobody'"  # the same answer


def test_a_district_admin_deactivates_a_principal(homeroom: Invoke) -> None:
    result = homeroom("user", "deactivate", "paul_principal", *MATH, "--as", "dana_district", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["status"] == "inactive"
    assert document["version"] == 2
    shown = homeroom("user", "show", "paul_principal", *MATH, "--as", "dana_district")
    assert "  status:      inactive" in shown.stdout.splitlines()


def test_a_peer_may_not_deactivate_a_principal(homeroom: Invoke) -> None:
    result = homeroom("user", "deactivate", "paul_principal", *MATH, "--as", "priya_principal")
    assert result.exit_code == 1
    assert result.stderr.startswith("error [forbidden]: ")
    assert "rank" in result.stderr
    shown = homeroom("user", "show", "paul_principal", *MATH, "--as", "dana_district", "--json")
    assert json.loads(shown.stdout)["status"] == "active"


def test_an_unknown_tenant_is_not_found(homeroom: Invoke) -> None:
    result = homeroom("user", "show", "sam_student", "--tenant", "nowhere", "--as", "tomas_teacher")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error [tenant_not_found]: there is no tenant named 'nowhere'"
