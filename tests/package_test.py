#!/usr/bin/python3
"""The Debian package end to end, on this machine, as root:

  tests/package_test.py BUILD_DIR

Builds the package from BUILD_DIR/bin/tokenwarden (scripts/build-deb.sh, no
compile), checks it with lintian, installs it with dpkg -i, runs the
installed agent as the tokenwarden user with the shipped example config
(adapted to an emulator), upgrades to a rebuilt package of a higher version
(the agent restarted on the new binary must adopt its sessions: the emulator
counts no new authorization), then removes (config and state kept) and
purges (nothing left). Installs and purges the real package: it refuses to
run where tokenwarden is installed already, and fails (never skips) when not
root."""
import grp
import gzip
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile

from procs import Agent, Emulator, free_port, wait_for  # noqa: F401

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ETC = "/etc/tokenwarden"
STATE = "/var/lib/tokenwarden"
CONF = ETC + "/tokenwarden.toml"
UNIT = "/lib/systemd/system/tokenwarden.service"
WANTS = "/etc/systemd/system/multi-user.target.wants/tokenwarden.service"


def run(*argv, check=True, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} exited {r.returncode}:\n{r.stdout}{r.stderr}")
    return r


def expect(cond, what):
    if not cond:
        raise AssertionError(what)
    print(f"  ok  {what}", flush=True)


def mode_owner(path):
    st = os.stat(path)
    return stat.S_IMODE(st.st_mode), pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name


def installed_version():
    r = run("dpkg-query", "-W", "-f=${Status} ${Version}", "tokenwarden", check=False)
    return r.stdout.strip() if r.returncode == 0 else ""


def build_deb(build, out, version=None):
    argv = [os.path.join(ROOT, "scripts", "build-deb.sh"), build, out] + ([version] if version else [])
    return run(*argv).stdout.strip().splitlines()[-1]


def subcommands(binary, *path):
    """The subcommands `tokenwarden [path...] --help` lists (CLI11's help)."""
    text = run(binary, *path, "--help").stdout
    part = text.split("Subcommands:", 1)
    return re.findall(r"^\s+(\w[\w-]*)\s", part[1], re.M) if len(part) == 2 else []


def check_contents(deb, binary):
    fields = run("dpkg-deb", "-f", deb, "Depends").stdout
    expect("libssl3" in fields and "${" not in fields, f"Depends computed from the binary: {fields.strip()}")
    files = run("dpkg-deb", "-c", deb).stdout
    for path in ["./usr/bin/tokenwarden", "./lib/systemd/system/tokenwarden.service", "./etc/tokenwarden/tokenwarden.toml",
                 "./usr/share/man/man1/tokenwarden.1.gz", "./usr/share/bash-completion/completions/tokenwarden",
                 "./usr/share/doc/tokenwarden/examples/tokenwarden.toml", "./usr/share/doc/tokenwarden/copyright",
                 "./usr/share/doc/tokenwarden/OPERATIONS.md.gz",
                 "./usr/share/doc/tokenwarden/examples/tokenwarden.rules.yml",
                 "./usr/share/doc/tokenwarden/examples/tokenwarden.json",
                 "./usr/share/doc/tokenwarden/examples/clients/client.php"]:
        expect(path in files, f"the package holds {path}")
    r = run("lintian", "--fail-on", "error,warning", deb, check=False)
    print("  lintian:", r.stdout.strip() or "(nothing)", flush=True)
    expect(r.returncode == 0, "lintian finds no error or warning")


def check_installed(binary):
    expect(os.access("/usr/bin/tokenwarden", os.X_OK), "the binary is in /usr/bin")
    user = pwd.getpwnam("tokenwarden")
    expect(user.pw_uid < 1000 and user.pw_shell.endswith("nologin"), "tokenwarden is a system user without a shell")
    expect(mode_owner(ETC) == (0o750, "root", "tokenwarden"), f"{ETC} is 0750 root:tokenwarden")
    expect(mode_owner(STATE) == (0o700, "tokenwarden", "tokenwarden"), f"{STATE} is 0700 tokenwarden")
    conffiles = run("dpkg-query", "-W", "-f=${Conffiles}", "tokenwarden").stdout
    expect(CONF in conffiles, f"{CONF} is a conffile")
    expect(os.path.islink(WANTS) and os.path.realpath(WANTS) == os.path.realpath(UNIT), "the unit is enabled")
    expect("ConditionPathExists=/etc/tokenwarden/env" in open(UNIT).read() and not os.path.exists(ETC + "/env"),
           "the unit waits for /etc/tokenwarden/env, which no install writes (enabled, not started)")
    # Every command the binary has, in the man page and the completion.
    man = gzip.open("/usr/share/man/man1/tokenwarden.1.gz", "rt").read()
    commands = subcommands(binary)
    expect(len(commands) >= 9, f"the binary lists its commands: {commands}")
    sections = re.findall(r'^\.SS "([^"]*)"', man, re.M)
    for c in commands:
        heads = [h for h in sections if h.split()[0] == c]
        expect(len(heads) == 1, f"the man page has a section for {c}")
        for sub in subcommands(binary, c):
            expect(re.search(rf"[ |]{sub}[ |]", heads[0]), f"the man page's {c} section names {c} {sub}")
    completion = "/usr/share/bash-completion/completions/tokenwarden"
    got = run("bash", "-c", f'source {completion}; COMP_WORDS=(tokenwarden ""); COMP_CWORD=1; _tokenwarden; '
              'echo "${COMPREPLY[@]}"').stdout.split()
    expect(set(commands) <= set(got), f"bash completion offers every command: {got}")
    r = run("man", "--warnings", "-l", "/usr/share/man/man1/tokenwarden.1.gz", check=False,
            env=dict(os.environ, MANWIDTH="80", MAN_KEEP_STDERR="1"))
    expect(r.returncode == 0 and "warning" not in r.stderr, f"man renders the page without warnings {r.stderr[:300]}")


def adapt_config(emu, port):
    """The shipped example config, pointed at the emulator: the admin's edit
    of the conffile, which the upgrade must keep."""
    text = open(CONF).read()
    text = re.sub(r'^listen = "[^"]*"', f'listen = "127.0.0.1:{port}"', text, count=1, flags=re.M)
    text = re.sub(r'^base_url = "[^"]*"', f'base_url = "{emu.url}"', text, count=1, flags=re.M)
    text = re.sub(r'^base_urls = \[[^\]]*\]', f'base_urls = ["{emu.url}/v.1.0"]', text, count=1, flags=re.M)
    expect(text.count(emu.url) == 2 and f"127.0.0.1:{port}" in text, "the example config adapted to the emulator")
    with open(CONF, "w") as f:
        f.write(text)
    key_dir = ETC + "/alliance"
    os.makedirs(key_dir, mode=0o700, exist_ok=True)
    shutil.copy(emu.private_jwk, key_dir + "/private.jwk.json")
    for p in (key_dir, key_dir + "/private.jwk.json"):
        shutil.chown(p, "tokenwarden", "tokenwarden")
    os.chmod(key_dir + "/private.jwk.json", 0o600)
    return text


def start_installed_agent(port, log):
    """The installed agent as the unit runs it: the tokenwarden user, the
    shipped config, secrets in the environment."""
    return Agent("/usr/bin/tokenwarden", CONF, port, log,
                 prefix=["setpriv", "--reuid=tokenwarden", "--regid=tokenwarden", "--init-groups", "--"])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build = os.path.abspath(sys.argv[1])
    if os.geteuid() != 0:
        sys.exit("package_test: FAILED: needs root (dpkg -i, a system user, /etc and /var/lib); run make test as root")
    for tool in ("dpkg-buildpackage", "dh", "lintian", "setpriv"):
        if not shutil.which(tool):
            sys.exit(f"package_test: FAILED: {tool} is missing; scripts/install-deps.sh installs it")
    if installed_version():
        sys.exit(f"package_test: FAILED: tokenwarden is installed here ({installed_version()}); this test installs "
                 "and purges the package: dpkg -P tokenwarden first, or run it on a test machine")
    binary = os.path.join(build, "bin", "tokenwarden")
    work = tempfile.mkdtemp(prefix="tw-package-")
    os.chmod(work, 0o755)
    emu = agent = None
    try:
        print("build and check the package", flush=True)
        deb1 = build_deb(build, os.path.join(work, "v1"))
        version1 = os.path.basename(deb1).split("_")[1]
        check_contents(deb1, binary)

        print(f"install {os.path.basename(deb1)}", flush=True)
        installed = run("dpkg", "-i", deb1)
        expect(installed_version() == f"install ok installed {version1}", f"dpkg -i installed {version1}")
        files = [p for p in run("dpkg", "-L", "tokenwarden").stdout.splitlines() if p.startswith("/")]
        check_installed(binary)

        print("run the installed agent against the emulator", flush=True)
        emu = Emulator(binary, work)
        port = free_port()
        edited = adapt_config(emu, port)
        agent = start_installed_agent(port, os.path.join(work, "agent1.log"))
        before = {a: agent.token(a)["generation"] for a in ("shop", "delivery")}
        auths = emu.authorizations()
        expect(auths == {"alliance": 1, "novapost": 1}, f"one authorization per account: {auths}")
        expect(any(os.scandir(STATE)), f"the agent keeps its sessions in {STATE}")
        # The agent writes each record to a temporary file and renames it:
        # one may come and go between the listing and its stat.
        owners = []
        for e in os.scandir(STATE):
            try:
                owners.append(mode_owner(e.path)[1])
            except FileNotFoundError:
                continue
        expect(owners and all(o == "tokenwarden" for o in owners), f"owned by the tokenwarden user: {owners}")

        version2 = version1 + "+upgrade1"
        print(f"upgrade to {version2}, restart the agent (as the unit's restart-after-upgrade does)", flush=True)
        deb2 = build_deb(build, os.path.join(work, "v2"), version2)
        run("dpkg", "-i", deb2)
        expect(installed_version() == f"install ok installed {version2}", f"dpkg -i upgraded to {version2}")
        expect(open(CONF).read() == edited, "the edited conffile is kept")
        expect(mode_owner(ETC) == (0o750, "root", "tokenwarden") and
               mode_owner(STATE) == (0o700, "tokenwarden", "tokenwarden"), "modes and owners kept")
        agent.stop()
        agent = start_installed_agent(port, os.path.join(work, "agent2.log"))
        after = {a: agent.token(a)["generation"] for a in ("shop", "delivery")}
        expect(after == before, f"the sessions are kept: generations {before} -> {after}")
        expect(emu.authorizations() == auths, f"no new authorization after the upgrade: {emu.authorizations()}")
        agent.stop()
        agent = None

        print("remove: configuration and state stay", flush=True)
        run("dpkg", "-r", "tokenwarden")
        expect(installed_version().startswith("deinstall ok config-files"), "dpkg -r left config-files")
        expect(not os.path.exists("/usr/bin/tokenwarden"), "the binary is gone")
        expect(open(CONF).read() == edited and os.path.exists(ETC + "/alliance/private.jwk.json"), "the config stays")
        expect(any(os.scandir(STATE)), "the sessions stay")

        print("purge: nothing left", flush=True)
        run("dpkg", "-P", "tokenwarden")
        expect(not installed_version(), "dpkg knows no tokenwarden")
        for path in (ETC, STATE, WANTS, UNIT):
            expect(not os.path.lexists(path), f"{path} is gone")
        left = [p for p in files if os.path.lexists(p) and not os.path.isdir(p)]
        left += [p for p in files if os.path.isdir(p) and "tokenwarden" in p]
        expect(not left, f"no file of the package is left: {left}")
        expect("tokenwarden" not in run("dpkg-statoverride", "--list").stdout, "no statoverride is left")
        owned = run("find", "/etc", "/var/lib", "/run", "-xdev", "-user", "tokenwarden", check=False).stdout.split()
        expect(not owned, f"the tokenwarden user (kept, as Debian does) owns no file: {owned}")
        print("package_test: OK")
    finally:
        if agent:
            agent.stop()
        if emu:
            emu.stop()
        if installed_version():
            run("dpkg", "-P", "tokenwarden", check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
