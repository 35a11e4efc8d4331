"""Each kind of bad configuration value is reported, one line per problem, naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from cicero.cli.main import main
from cicero.config import ConfigError, Secret, load_settings
from cicero.config.load import DEFAULT_CONFIG, read_toml

MINIMAL = """
[sessions.gateway]
role = "gateway"

[jobs.demo]
name = "Demo"
bucket = "gateway"
crons = ["0 7 * * *"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cicero.toml"
    path.write_text(text)
    return path


def problems(tmp_path: Path, text: str, **env: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_settings({"CICERO_CONFIG": str(path), **env})
    return err.value.problems


def test_the_shipped_config_is_valid_and_holds_every_job_of_the_catalogue() -> None:
    settings = load_settings({})
    expected = {
        "ingest_social", "task_broadcast", "org_engagement_recap", "amplify_recap",
        "personal_reminder", "bidhumas_evening_recap", "ditbinmas_group_recap",
        "ditbinmas_leader_recap", "db_backup", "ops_digest", "housekeeping",
        "ditbinmas_kasatker_report", "ditbinmas_full_recap", "ditbinmas_data_recap",
        "incomplete_data_recap", "username_completeness_recap", "amplify_daily_report",
        "amplify_monthly_excel", "satbinmas_media_recap", "premium_expiry",
        "dashboard_subscription_expiry", "dashboard_premium_request_expiry",
    }  # fmt: skip
    assert set(settings.config.jobs) == expected
    raw = read_toml(DEFAULT_CONFIG)["jobs"]
    assert raw["ingest_social"]["crons"] == ["0,30 6-21 * * *", "0 22 * * *"]
    assert raw["amplify_monthly_excel"]["crons"] == ["0 23 L * *"]
    assert settings.config.jobs["ditbinmas_full_recap"].enabled is False


def test_minimal_config_loads(tmp_path: Path) -> None:
    settings = load_settings({"CICERO_CONFIG": str(write(tmp_path, MINIMAL))})
    (spec,) = settings.config.job_specs()
    assert spec.crons == ("0 7 * * *",) and spec.bucket == "gateway"


def test_unknown_key(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL + 'colour = "blue"\n')
    assert found == [f"{tmp_path / 'cicero.toml'}: jobs.demo.colour: unknown key"]


def test_six_field_cron(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL.replace('"0 7 * * *"', '"0 0 7 * * *"'))
    assert len(found) == 1
    assert "jobs.demo.crons" in found[0] and "6 fields; use 5" in found[0]


def test_malformed_cron(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL.replace('"0 7 * * *"', '"61 7 * * *"'))
    assert "jobs.demo.crons" in found[0] and "not a valid cron" in found[0]


def test_cron_that_never_fires(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL.replace('"0 7 * * *"', '"0 0 31 2 *"'))
    assert "never fires" in found[0]


def test_unknown_bucket(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL.replace('bucket = "gateway"', 'bucket = "pager"'))
    assert "jobs.demo.bucket" in found[0] and "unknown bucket 'pager'" in found[0]


@pytest.mark.parametrize("value", ["0", "-5"])
def test_throttle_must_be_positive(tmp_path: Path, value: str) -> None:
    found = problems(
        tmp_path,
        MINIMAL.replace('role = "gateway"', f'role = "gateway"\nthrottle_per_minute = {value}'),
    )
    assert len(found) == 1 and "sessions.gateway.throttle_per_minute" in found[0]


@pytest.mark.parametrize("value", ["0", "70000", '"eighty"'])
def test_bad_port(tmp_path: Path, value: str) -> None:
    found = problems(tmp_path, MINIMAL + f"\n[runtime]\nweb_port = {value}\n")
    assert len(found) == 1 and "runtime.web_port" in found[0]


def test_bad_port_from_environment(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL, CICERO_WEB_PORT="http")
    assert found == ["CICERO_WEB_PORT: 'http' is not a whole number"]


def test_bad_duration(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL + 'grace = "soon"\n')
    assert "jobs.demo.grace" in found[0] and "not a duration" in found[0]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("999999999999d", "longer than 3660 days"),  # an OverflowError traceback before
        ("9" * 5000 + "m", "longer than 3660 days"),
        ("٣m", "not a duration"),  # a digit of another script
        ("3661d", "longer than 3660 days"),
    ],
)
def test_absurd_durations_are_one_line_each(tmp_path: Path, value: str, words: str) -> None:
    found = problems(tmp_path, MINIMAL + f'grace = "{value}"\n')
    assert len(found) == 1 and "jobs.demo.grace" in found[0] and words in found[0]
    assert len(found[0]) < 200


def test_actor_ports_never_on_all_interfaces(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL, CICERO_ACTOR_HOST="0.0.0.0")
    assert len(found) == 1 and "runtime.actor_host" in found[0] and "every interface" in found[0]
    settings = load_settings({"CICERO_CONFIG": str(write(tmp_path, MINIMAL))})
    assert settings.config.runtime.actor_host == "127.0.0.1"


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace('"0 7 * * *"', '"0 0 7 * * *"')
        + "\n[runtime]\nweb_port = 0\nshiny = true\n"
    )
    found = problems(tmp_path, text)
    assert len(found) == 3


def test_missing_and_garbled_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({"CICERO_CONFIG": str(tmp_path / "absent.toml")})
    assert "no such file" in err.value.problems[0]
    garbled = write(tmp_path, "[jobs\nname = ")
    with pytest.raises(ConfigError) as err:
        load_settings({"CICERO_CONFIG": str(garbled)})
    assert "not valid TOML" in err.value.problems[0]


def test_secrets_come_from_the_environment_and_never_print(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "CICERO_CONFIG": str(write(tmp_path, MINIMAL)),
            "RAPIDAPI_KEY": "k-123",
            "SMTP_PASSWORD": "hunter2",
            "DATABASE_URL": "postgresql://u:pw@db/cicero",
            "ADMIN_WHATSAPP": "6281100000001, 6281100000002",
        }
    )
    assert settings.env.rapidapi_key == Secret("k-123")
    assert settings.env.rapidapi_key.reveal() == "k-123"
    text = repr(settings)
    assert "hunter2" not in text and "k-123" not in text and "pw@" not in text
    assert settings.admin_numbers == ("6281100000001", "6281100000002")


def test_config_check_command_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("CICERO_CONFIG", str(write(tmp_path, MINIMAL)))
    assert main(["config", "check"]) == 0
    monkeypatch.setenv(
        "CICERO_CONFIG", str(write(tmp_path, MINIMAL.replace('gateway"\ncrons', 'pager"\ncrons')))
    )
    assert main(["config", "check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("config error: ") and "Traceback" not in err


def test_sender_chains_must_name_configured_sessions(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL + '\n[senders.chains]\nreminder = ["gateway", "pager"]\n')
    assert len(found) == 1 and "senders.chains.reminder: no [sessions.pager]" in found[0]


def test_upstream_pacing_and_budgets(tmp_path: Path) -> None:
    text = MINIMAL + "\n[upstream]\nrequests_per_s = 5\nburst = 2\n"
    text += "daily_budget = { instagram = 4000, tiktok_fallback = 900 }\n"
    upstream = load_settings({"CICERO_CONFIG": str(write(tmp_path, text))}).config.upstream
    assert (upstream.requests_per_s, upstream.burst) == (5.0, 2)
    assert upstream.daily_budget == {"instagram": 4000, "tiktok_fallback": 900}


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("daily_budget = { facebook = 10 }", "unknown host 'facebook'"),
        ("daily_budget = { tiktok = 0 }", "greater than or equal to 1"),
        ("requests_per_s = 0", "greater than 0"),
    ],
)
def test_bad_upstream_limits_name_the_key(tmp_path: Path, line: str, words: str) -> None:
    found = problems(tmp_path, MINIMAL + f"\n[upstream]\n{line}\n")
    assert len(found) == 1 and "upstream." in found[0] and words in found[0]


def test_secret_and_proxy_values_are_checked_without_printing_them(tmp_path: Path) -> None:
    env = {"CICERO_CONFIG": str(write(tmp_path, MINIMAL))}
    bad = {"CICERO_SECRET_KEY": "hunter2", "CICERO_WHATSAPP_PROXY": "user:pw@nowhere"}
    with pytest.raises(ConfigError) as caught:
        load_settings({**env, **bad})
    text = "\n".join(caught.value.problems)
    assert "CICERO_SECRET_KEY: shorter than 32 characters" in text
    assert "CICERO_WHATSAPP_PROXY: not a proxy URL" in text
    assert "hunter2" not in text and "pw@" not in text
    good = {"CICERO_SECRET_KEY": "k" * 32, "CICERO_WHATSAPP_PROXY": "socks5://u:p@127.0.0.1:1080"}
    settings = load_settings({**env, **good})
    assert settings.env.whatsapp_proxy is not None and "p@" not in repr(settings.env)


def test_audit_durations_default_and_parse(tmp_path: Path) -> None:
    assert (load_settings({}).config.upstream.audit_fresh,
            load_settings({}).config.upstream.audit_every) == ("1h", "3h")  # fmt: skip
    text = MINIMAL + '\n[upstream]\naudit_fresh = "45m"\naudit_every = "2h"\n'
    upstream = load_settings({"CICERO_CONFIG": str(write(tmp_path, text))}).config.upstream
    assert (upstream.audit_fresh, upstream.audit_every) == ("45m", "2h")


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('audit_every = "0h"', "upstream.audit_every: '0h' is no time at all"),
        ('audit_every = "0"', "upstream.audit_every: '0' is not a duration"),
        ("audit_every = 0", "upstream.audit_every: Input should be a valid string"),
        ('audit_every = "soon"', "upstream.audit_every: 'soon' is not a duration"),
        ('audit_fresh = "-1h"', "upstream.audit_fresh: '-1h' is not a duration"),
        ('audit_fresh = "0m"', "upstream.audit_fresh: '0m' is no time at all"),
    ],
)
def test_bad_audit_durations_are_config_errors(tmp_path: Path, line: str, words: str) -> None:
    found = problems(tmp_path, MINIMAL + f"\n[upstream]\n{line}\n")
    assert len(found) == 1 and words in found[0], found
