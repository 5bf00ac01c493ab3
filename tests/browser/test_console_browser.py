#!/usr/bin/python3
"""The moderators' console in a real browser (issue #17): headless Chromium driven by
Selenium against vigile-console on the real broker, fed by the real pipeline
(vigile-ingest --replay, vigile-classify, vigile-route, vigile-sla).

Usage: test_console_browser.py BUILD_DIR SOURCE_DIR   (VIGILE_KAFKA_BROKERS and
VIGILE_REDIS_URL name the servers scripts/test.sh started). Screenshots of each page go
to BUILD_DIR/console-screenshots/.

Lecce's calendars are made round-the-clock with a two-minute take-charge grace in a copy
of the config, so that a ticket nobody takes in charge is breached on vigile.sla within
the test while the one taken in charge is not."""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

BUILD, SOURCE = sys.argv[1], sys.argv[2]
BROKERS = os.environ["VIGILE_KAFKA_BROKERS"]
RUN = "br%d" % int(time.time() * 1000)
SHOTS = os.path.join(BUILD, "console-screenshots")
PASSWORD = "password-di-prova-1"
SCRIPT = "<script>document.title='violato'</script>"
IMG = "<img src=x onerror=\"document.title='violato'\">"
failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        failures.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_config(tmp):
    """A copy of config/ where Lecce moderates round the clock with a 2-minute grace."""
    cfg = os.path.join(tmp, "config")
    subprocess.run(["cp", "-r", os.path.join(SOURCE, "config"), cfg], check=True)
    path = os.path.join(cfg, "tenants", "lecce.json")
    with open(path) as f:
        doc = json.load(f)
    week = {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    doc["calendars"] = {"moderation": week, "office": week}
    # Two minutes: the take-charge below must come before the grace ends, and on a loaded
    # machine the pipeline and the page may take most of a minute to show the ticket.
    doc["sla"]["due_soon_minutes"] = 2
    with open(path, "w") as f:
        json.dump(doc, f, ensure_ascii=False)
    return cfg


def envelope(n, tenant, author, text):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {"event_id": "%s-%s" % (RUN, n), "tenant": tenant, "platform": "facebook",
            "kind": "comment", "content_id": "%s-c%s" % (RUN, n),
            "author": {"id": "%s-%s" % (RUN, author), "name": "Prova"}, "text": text,
            "created_at": now}


STREAM = [
    envelope("script", "lecce", "a1", "Quando riapre la biblioteca di Santa Croce? " + SCRIPT),
    envelope("img", "lecce", "a2", IMG + " Quando riapre la biblioteca di Santa Croce?"),
    envelope("control", "lecce", "a3", "Quando riapre la biblioteca di Santa Croce? Grazie."),
    envelope("insult1", "lecce", "a4", "Sindaco ladro e buffone"),
    envelope("insult2", "lecce", "a4", "sei un idiota come tutta la giunta"),
    envelope("arese", "arese", "a5", "Quando riapre la biblioteca civica? Grazie."),
    # An insult quoted beside criticism: the removal is proposed, not applied.
    envelope("quoted", "lecce", "a6", 'Il consigliere ha detto in aula: "siete tutti idioti", vergognoso'),
]


class Pipeline:
    def __init__(self, tmp):
        self.tmp, self.procs = tmp, []
        self.env = dict(os.environ, VIGILE_CONFIG_DIR=test_config(tmp),
                        VIGILE_DATA_DIR=os.path.join(SOURCE, "data"),
                        VIGILE_PSEUDONYM_KEY="browser-test-key",
                        VIGILE_CONSOLE_DIR=os.path.join(tmp, "console"),
                        VIGILE_CONSOLE_PORT=str(free_port()), VIGILE_LOG_LEVEL="warn",
                        VIGILE_INSTANCE_ID="browser-" + RUN)
        os.mkdir(self.env["VIGILE_CONSOLE_DIR"])
        self.url = "http://localhost:%s" % self.env["VIGILE_CONSOLE_PORT"]

    def program(self, name):
        return os.path.join(BUILD, "services", "vigile-" + name)

    def start(self, name, *args):
        port = free_port()
        log = open(os.path.join(self.tmp, name + ".log"), "w")
        p = subprocess.Popen([self.program(name), *args], stdout=log, stderr=log,
                             env=dict(self.env, VIGILE_HTTP_PORT=str(port)))
        self.procs.append((name, p))
        return port

    def user(self, name, role, tenant):
        subprocess.run([self.program("console"), "user", "add", name, "--role", role,
                        "--tenant", tenant], input=PASSWORD + "\n", text=True, check=True,
                       env=self.env, stdout=subprocess.DEVNULL)

    def wait_healthy(self, ports):
        deadline = time.time() + 60
        for port in ports:
            while True:
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=1):
                        break
                except OSError:
                    if time.time() > deadline:
                        raise SystemExit("workers not healthy; logs in " + self.tmp)
                    time.sleep(0.3)

    def stop(self):
        for name, p in reversed(self.procs):
            p.send_signal(signal.SIGTERM)
        for name, p in reversed(self.procs):
            try:
                check(p.wait(30) == 0, "vigile-%s stops cleanly" % name)
            except subprocess.TimeoutExpired:
                p.kill()
                check(False, "vigile-%s stops within 30 s" % name)


def read_topic(topic, match, want, timeout):
    """Messages of topic (read_committed, from the beginning) containing this run's id and
    accepted by match, read until `want` are seen or timeout seconds have passed."""
    deadline, found = time.time() + timeout, []
    while True:
        out = subprocess.run(["kcat", "-C", "-b", BROKERS, "-t", topic, "-o", "beginning", "-e",
                              "-q", "-X", "isolation.level=read_committed", "-f", "%s\n"],
                             capture_output=True, text=True, timeout=60).stdout
        found = [json.loads(l) for l in out.splitlines() if RUN in l]
        found = [m for m in found if match(m)]
        if len(found) >= want or time.time() > deadline:
            return found
        time.sleep(2)


def browser():
    o = Options()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1100,1300"):
        o.add_argument(a)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def shot(d, name):
    d.save_screenshot(os.path.join(SHOTS, name + ".png"))


def view_text(d):
    return d.find_element(By.ID, "view").text


def wait_for(d, cond, what, timeout=60, reread=False):
    """Waits for cond; with reread the page asks the API again each second (the read
    model hears of the pipeline's outputs a moment after they are committed)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if reread:
            d.execute_script("route()")
        time.sleep(1)
        if cond():
            return True
    check(False, what)
    return False


def login(d, url, name):
    d.get(url + "/")
    wait_for(d, lambda: d.find_element(By.ID, "user").is_displayed(), "the login form shows", 15)
    shot(d, "login")
    d.find_element(By.ID, "user").send_keys(name)
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "#login-form button").click()


def click(d, text):
    for b in d.find_elements(By.CSS_SELECTOR, "#view button"):
        if b.text == text:
            b.click()
            return True
    check(False, "a button «%s» is on the page" % text)
    return False


def forged_post(d):
    """A POST from the logged-in page's origin without the CSRF header."""
    return d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/api/action', {method: 'POST', credentials: 'same-origin',"
        " headers: {'Content-Type': 'application/json'},"
        " body: JSON.stringify({tenant: 'lecce', type: 'resolve', ticket_id: arguments[0]})})"
        ".then(r => done(r.status), e => done(String(e)));", RUN + "-control:urp")


def scenario(p, d):
    login(d, p.url, "lecce-" + RUN)
    ids = {k: "%s-%s" % (RUN, k)
           for k in ("script", "img", "control", "insult1", "insult2", "arese", "quoted")}
    wait_for(d, lambda: all(ids[k] in view_text(d) for k in ("script", "img", "control")),
             "the queue shows the three Lecce tickets", 90, True)
    text = view_text(d)
    check(all(ids[k] in text for k in ("script", "img", "control")), "Lecce's tickets are queued")
    check(ids["arese"] not in text, "nothing of Arese is in Lecce's queue")
    check(SCRIPT in text and IMG in text, "<script> and <img onerror> comments show as text")
    check(d.title != "violato" and not d.find_elements(By.CSS_SELECTOR, "#view script, #view img"),
          "no comment's markup became an element or ran")
    shot(d, "queue")
    d.set_window_size(390, 1300)
    shot(d, "queue-phone")
    d.set_window_size(1100, 1300)

    d.get(p.url + "/#/voce/" + ids["script"])
    wait_for(d, lambda: "Prendi in carico" in view_text(d), "the ticket's page shows", 20)
    click(d, "Prendi in carico")
    wait_for(d, lambda: "presa in carico" in view_text(d) and "lecce-" + RUN in view_text(d),
             "the take-charge shows among the operators' actions", 30)
    shot(d, "item")

    check(forged_post(d) == 403, "a POST without the CSRF token is refused (403)")

    d.get(p.url + "/#/voce/" + ids["insult1"])
    wait_for(d, lambda: "non inviata (prova)" in view_text(d),
             "vigile-act's result for the hidden comment shows on its page", 60, True)
    shot(d, "platform")

    d.get(p.url + "/#/voce/" + ids["quoted"])
    wait_for(d, lambda: "Proposta in attesa di verifica" in view_text(d), "a proposed removal is shown", 30)
    check("nascondi per insult" in view_text(d), "the page says what Conferma would apply")
    shot(d, "proposed")

    d.get(p.url + "/#/voce/" + ids["insult2"])
    wait_for(d, lambda: "Annulla la decisione" in view_text(d), "the banned decision shows", 30)
    d.find_element(By.ID, "verdict-note").send_keys("Ricorso accolto: critica politica.")
    click(d, "Annulla la decisione (ricorso accolto)")
    wait_for(d, lambda: "annullata" in view_text(d), "the overturned revision reaches the page", 30, True)
    shot(d, "overturned")
    author = d.find_element(By.CSS_SELECTOR, "#view a[href^='#/autore/']")
    author.click()
    wait_for(d, lambda: "Storico" in view_text(d), "the author's history shows", 15)
    shot(d, "author")
    d.get(p.url + "/#/giorni")
    wait_for(d, lambda: d.find_elements(By.CSS_SELECTOR, "#view svg rect"), "the day view draws bars", 15)
    shot(d, "days")
    d.get(p.url + "/#/bozza")
    wait_for(d, lambda: d.find_elements(By.ID, "draft-text"), "the draft check shows", 15)
    d.find_element(By.ID, "draft-text").send_keys(
        "Guadagna 5000 euro al mese da casa con le crypto, scrivimi in privato! bit.ly/soldifacili")
    d.find_element(By.CSS_SELECTOR, "#view form button").click()
    wait_for(d, lambda: "I contenuti pubblicati" in view_text(d),
             "the draft check cites Lecce's clause on what it publishes", 15)
    shot(d, "draft")
    d.get(p.url + "/#/registro")
    wait_for(d, lambda: "annullamento" in view_text(d), "the audit log lists the overturn", 15)
    shot(d, "audit")
    return ids


def on_topics(ids):
    ticket = lambda k: ids[k] + ":urp"
    revised = read_topic("vigile.decisions", lambda m: m.get("decision_id") == ids["insult2"]
                         and m.get("status") == "overturned", 1, 30)
    check(len(revised) == 1 and revised[0].get("revision") == 2,
          "the overturn produced the corrected decision (revision 2, overturned)")
    acts = read_topic("vigile.actions", lambda m: m.get("decision_id") == ids["insult2"]
                      and m.get("type") in ("unhide", "unban"), 2, 30)
    check(sorted(m["type"] for m in acts) == ["unban", "unhide"], "unhide and unban were issued")
    breached = lambda m: m.get("timer") == "take_charge" and m.get("type") == "breached"
    late = read_topic("vigile.sla", lambda m: breached(m) and m.get("ticket_id") == ticket("control"),
                      1, 210)
    check(len(late) == 1, "the ticket nobody took in charge is breached on vigile.sla")
    taken = read_topic("vigile.sla", lambda m: breached(m) and m.get("ticket_id") == ticket("script"),
                       0, 0)
    check(not taken, "the ticket taken in charge has no take-charge breach on vigile.sla")


# vigile-act runs in shadow mode (no tenant is live in the shipped config): what it would
# have sent reaches the page as "non inviata (prova)".
WORKERS = ("classify", "route", "sla", "act", "console")


def main():
    os.makedirs(SHOTS, exist_ok=True)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="vigile-browser-") as tmp:
        p = Pipeline(tmp)
        p.user("lecce-" + RUN, "supervisor", "lecce")
        ports = [p.start(w) for w in WORKERS]
        d = None
        try:
            p.wait_healthy(ports)
            stream = os.path.join(tmp, "stream.jsonl")
            with open(stream, "w") as f:
                f.writelines(json.dumps(e) + "\n" for e in STREAM)
            subprocess.run([p.program("ingest"), "--replay", stream], env=dict(p.env, VIGILE_HTTP_PORT="0"),
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            d = browser()
            ids = scenario(p, d)
            on_topics(ids)
        finally:
            if d:
                d.quit()
            p.stop()
            if failures:
                for name in WORKERS:
                    print("--- %s.log" % name)
                    print(open(os.path.join(tmp, name + ".log")).read()[-3000:])
    print("browser test: %d failures, %.0f s; screenshots in %s" % (len(failures), time.time() - started, SHOTS))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
