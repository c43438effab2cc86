"""The production check's use of the site, through nginx over HTTPS, as a browser would
(called by scripts/production-check once nginx, gunicorn, the worker and beat are up).

Standard library only (http.client, ssl, html.parser). Prints each step with its time and
exits non-zero with the reason at the first failure.

    python scripts/production_check.py --base https://localhost:8443 --http-base http://localhost:8180 \
        --cafile TLS/fullchain.pem --media DATA/media --logs LOGS
"""

import argparse
import gzip
import hashlib
import http.client
import json
import os
import re
import secrets
import socket
import ssl
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin, urlsplit

DEMO_PASSWORD = "Demo@2026study"
# The demo accounts without two-factor login (administrator roles need a code).
ROLES = ["demo-staff", "demo-member", "demo-leader", "demo-other-staff", "demo-approver"]
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
ONE_YEAR = 31536000
FORGED_ADDRESS = "203.0.113.9"
# The check's browsers connect from this loopback address, nginx from 127.0.0.1: the records
# must name this one (the client behind the proxy), never nginx's or a forged one.
CLIENT_ADDRESS = "127.0.0.2"


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


# --- HTTP ------------------------------------------------------------------------------------


class Response:
    def __init__(self, status, headers, body, seconds):
        self.status = status
        self.header_list = headers
        self.headers = {}
        for name, value in headers:
            self.headers.setdefault(name.lower(), value)
        self.body = body
        self.seconds = seconds

    def header(self, name, default=""):
        return self.headers.get(name.lower(), default)

    def all(self, name):
        return [value for key, value in self.header_list if key.lower() == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")


class Browser:
    """One person's browser: a cookie jar, a kept-alive HTTPS connection, no automatic redirects."""

    def __init__(self, base, context, name="anonymous"):
        parts = urlsplit(base)
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        self.origin = f"{self.scheme}://{parts.netloc}"
        self.context = context
        self.name = name
        self.cookies = {}
        self.cookie_attributes = {}
        self.connection = None
        self.requests = []

    def _connect(self):
        source = (CLIENT_ADDRESS, 0)
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=90, source_address=source)
        return http.client.HTTPConnection(self.host, self.port, timeout=90, source_address=source)

    def request(self, method, path, body=None, headers=None, allow=()):
        headers = {"Accept-Encoding": "identity", "User-Agent": "studygroup-production-check", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            if self.connection is None:
                self.connection = self._connect()
            started = time.monotonic()
            try:
                self.connection.request(method, path, body=body, headers=headers)
                raw = self.connection.getresponse()
                data = raw.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.CannotSendRequest):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        response = Response(raw.status, raw.getheaders(), data, time.monotonic() - started)
        if raw.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        for value in response.all("Set-Cookie"):
            self._store_cookie(value)
        self.requests.append((method, path, response.status, response.seconds))
        expect(response.status < 500 or response.status in allow, f"{self.name}: {method} {path} answered {response.status} "
                                      f"(request id {response.header('X-Request-ID')})")
        return response

    def _store_cookie(self, header):
        pair, *attributes = [part.strip() for part in header.split(";")]
        name, _, value = pair.partition("=")
        lowered = [a.lower() for a in attributes]
        if any(a == "max-age=0" for a in lowered) or any(a.startswith("expires=thu, 01 jan 1970") for a in lowered):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value
        self.cookie_attributes[name] = lowered

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, fields, files=None, referer=None, extra_headers=None):
        headers = {"Origin": self.origin, "Referer": self.origin + (referer or path), **(extra_headers or {})}
        if files:
            boundary = "----studygroup" + secrets.token_hex(12)
            body = multipart(fields, files, boundary)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.request("POST", path, body=body, headers=headers)

    def close(self):
        if self.connection is not None:
            self.connection.close()


def multipart(fields, files, boundary):
    chunks = []
    for name, value in fields.items():
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content_type, data) in files.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks)


class Page(HTMLParser):
    """What a check needs from a page: links (in the navigation, in the main part), static
    files, form fields."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.nav_links, self.main_links, self.static, self.inputs, self.forms = [], [], [], [], []
        self._in_nav = 0
        self._in_main = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav":
            self._in_nav += 1
        if tag == "main":
            self._in_main += 1
        if tag == "a" and attrs.get("href"):
            (self.nav_links if self._in_nav else self.main_links if self._in_main else []).append(attrs["href"])
        for key in ("href", "src"):
            value = attrs.get(key) or ""
            if tag in ("link", "script", "img") and value.startswith("/static/"):
                self.static.append(value)
        if tag == "input":
            self.inputs.append(attrs)
        if tag == "form":
            self.forms.append(attrs)

    def handle_endtag(self, tag):
        if tag == "nav" and self._in_nav:
            self._in_nav -= 1
        if tag == "main" and self._in_main:
            self._in_main -= 1

    def field(self, name):
        for attrs in self.inputs:
            if attrs.get("name") == name:
                return attrs.get("value", "")
        raise CheckFailed(f"no form field {name!r} on the page")


# --- steps -----------------------------------------------------------------------------------


class Check:
    def __init__(self, options):
        self.options = options
        self.context = ssl.create_default_context(cafile=options.cafile)
        self.timings = []
        self.static_checked = {}
        self.pages_opened = 0
        self.main_page_list = self.read_main_page_list() if options.manage else {}

    def read_main_page_list(self):
        """The main pages of each role (studygroup.main_pages, the list benchmark_pages measures),
        from the installation itself: ``manage benchmark_pages --paths-for``."""
        result = subprocess.run([self.options.manage, "benchmark_pages", "--paths-for", *ROLES],
                                capture_output=True, text=True, timeout=120)
        expect(result.returncode == 0, f"benchmark_pages --paths-for failed: {result.stderr[-2000:]}")
        return json.loads(result.stdout)

    def step(self, title, function, *args):
        started = time.monotonic()
        print(f"--> {title}", flush=True)
        result = function(*args)
        seconds = time.monotonic() - started
        self.timings.append((title, seconds))
        print(f"    ok ({seconds:.1f} s)", flush=True)
        return result

    def browser(self, name="anonymous"):
        return Browser(self.options.base, self.context, name)

    # health, TLS, headers ----------------------------------------------------------------------

    def health(self):
        browser = self.browser()
        deadline = time.monotonic() + 60
        while True:
            response = browser.request("GET", "/healthz", allow=(503,))
            data = json.loads(response.body)
            if response.status == 200:
                break
            expect(time.monotonic() < deadline, f"/healthz still {response.status} after 60 s: {data}")
            time.sleep(1)
        expect(data == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "worker": "ok"}}, f"/healthz: {data}")
        expect(response.header("Cache-Control") == "no-store", "/healthz may be cached")
        print(f"    {data}")

    def tls_and_redirect(self):
        context = ssl.create_default_context(cafile=self.options.cafile)
        context.set_alpn_protocols(["h2", "http/1.1"])
        host, port = urlsplit(self.options.base).hostname, urlsplit(self.options.base).port
        with socket.create_connection((host, port), timeout=10, source_address=(CLIENT_ADDRESS, 0)) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                expect(tls.selected_alpn_protocol() == "h2", f"HTTP/2 not offered: {tls.selected_alpn_protocol()}")
                expect(tls.version() in ("TLSv1.2", "TLSv1.3"), f"TLS version {tls.version()}")
                print(f"    {tls.version()}, ALPN {tls.selected_alpn_protocol()}")
        plain = Browser(self.options.http_base, None, "plain-http")
        response = plain.get("/accounts/login/")
        expect(response.status == 301, f"plain HTTP answered {response.status}, not a redirect")
        expect(response.header("Location").startswith("https://"), f"redirects to {response.header('Location')}")

    def login(self, username):
        browser = self.browser(username)
        page = browser.get("/accounts/login/")
        expect(page.status == 200, f"login page: {page.status}")
        token = Page(page.text).field("csrfmiddlewaretoken")
        expect("csrftoken" in browser.cookies, "no CSRF cookie")
        expect("secure" in browser.cookie_attributes["csrftoken"], "the CSRF cookie is not Secure")
        # A forged client address must not reach the records (nginx appends the real one).
        response = browser.post("/accounts/login/", {
            "csrfmiddlewaretoken": token, "username": username, "password": self.options.password,
        }, extra_headers={"X-Forwarded-For": FORGED_ADDRESS})
        expect(response.status == 302, f"{username}: login answered {response.status}")
        expect("sessionid" in browser.cookies, f"{username}: no session cookie")
        attributes = browser.cookie_attributes["sessionid"]
        expect("secure" in attributes and "httponly" in attributes, f"session cookie flags: {attributes}")
        return browser

    def page_headers(self, response, path):
        expect(response.header("Strict-Transport-Security").startswith("max-age="), f"{path}: no HSTS")
        expect(response.header("X-Content-Type-Options") == "nosniff", f"{path}: no nosniff")
        expect(response.header("X-Frame-Options") == "DENY", f"{path}: X-Frame-Options")
        expect(re.fullmatch(r"[0-9a-f]{32}", response.header("X-Request-ID")), f"{path}: no nginx request id")
        expect(response.header("Server") == "nginx", f"{path}: Server header {response.header('Server')!r}")

    # pages and static files ----------------------------------------------------------------------

    def open_main_pages(self, username):
        browser = self.login(username)
        home = browser.get("/")
        expect(home.status == 200, f"{username}: home {home.status}")
        self.page_headers(home, "/")
        page = Page(home.text)
        main_pages = []
        for href in page.nav_links:
            if href.startswith("/") and not href.startswith(("/admin/", "/accounts/logout")) and href not in main_pages:
                main_pages.append(href)
        expect(len(main_pages) >= 8, f"{username}: only {len(main_pages)} links in the navigation")
        statics = set(page.static)
        details = []
        for path in main_pages:
            response = browser.get(path)
            expect(response.status == 200, f"{username}: {path} answered {response.status}")
            parsed = Page(response.text)
            statics.update(parsed.static)
            # One record of each list, as a person would open it.
            section = path.strip("/").split("/")[0]
            for href in parsed.main_links:
                if re.fullmatch(rf"/{section}/(?:[a-z-]+/)?\d+/", href) and href not in details:
                    details.append(href)
                    break
        for path in details:
            response = browser.get(path)
            expect(response.status == 200, f"{username}: {path} answered {response.status}")
            statics.update(Page(response.text).static)
        # The one list of main pages: a page the role may not open answers 403 in the site layout.
        listed = [path for path in self.main_page_list.get(username, []) if path not in main_pages and path not in details]
        refused = 0
        for path in listed:
            response = browser.get(quote(path, safe="/?=&"))
            expect(response.status in (200, 403), f"{username}: {path} (main page list) answered {response.status}")
            refused += response.status == 403
            self.page_headers(response, path)
            statics.update(Page(response.text).static)
        self.pages_opened += 1 + len(main_pages) + len(details) + len(listed)
        for path in sorted(statics):
            self.static_file(browser, path)
        print(f"    {username}: {len(main_pages)} main pages, {len(details)} records, "
              f"{len(listed)} more of the main page list ({refused} refused), {len(statics)} static files")
        browser.close()

    def static_file(self, browser, path):
        if path in self.static_checked:
            return
        expect(HASHED_NAME.search(path), f"{path}: not a hashed name (is the manifest storage on?)")
        response = browser.get(path, headers={"Accept-Encoding": "gzip"})
        expect(response.status == 200, f"{path}: {response.status}")
        cache = response.header("Cache-Control")
        expect(f"max-age={ONE_YEAR}" in cache and "immutable" in cache, f"{path}: Cache-Control {cache!r}")
        if path.endswith((".css", ".js")):
            expect(response.header("Content-Encoding") == "gzip", f"{path}: not served compressed")
        self.static_checked[path] = len(response.body)
        if path.endswith(".css"):
            css = gzip.decompress(response.body).decode("utf-8", errors="replace")
            for reference in re.findall(r"url\(['\"]?([^'\")]+)['\"]?\)", css):
                if reference.startswith(("data:", "#", "http:", "https:")):
                    continue
                target = urljoin(path, reference).split("?")[0].split("#")[0]
                self.static_file(browser, target)

    # files: upload, download through nginx, out of scope ----------------------------------------

    def upload_and_download(self):
        staff = self.login("demo-staff")
        meetings = Page(staff.get("/meetings/").text)
        candidates = [h for h in meetings.main_links if re.fullmatch(r"/meetings/\d+/", h)]
        expect(candidates, "no meeting on demo-staff's meeting list")
        form_path = None
        for meeting in dict.fromkeys(candidates):
            path = f"{meeting}materials/new/"
            response = staff.get(path)
            if response.status == 200:
                form_path, form = path, Page(response.text)
                break
        expect(form_path, "no meeting of demo-staff accepts materials")
        # A real PDF, a few MB: the body goes through nginx's request buffering.
        content = pdf_bytes(3 * 1024 * 1024)
        title = f"生产检查资料 {time.strftime('%H%M%S')}"
        response = staff.post(form_path, {"csrfmiddlewaretoken": form.field("csrfmiddlewaretoken"), "title": title},
                              files={"file": ("生产检查资料.pdf", "application/pdf", content)})
        expect(response.status == 302, f"upload answered {response.status}: {response.text[:500]}")
        meeting_page = staff.get(response.header("Location"))
        links = sorted({int(m) for m in re.findall(r'href="/meetings/materials/(\d+)/"', meeting_page.text)})
        expect(links, "the uploaded material is not listed on the meeting page")
        download_path = f"/meetings/materials/{links[-1]}/"
        download = staff.get(download_path)
        expect(download.status == 200, f"download answered {download.status}")
        expect(hashlib.sha256(download.body).hexdigest() == hashlib.sha256(content).hexdigest(),
               "the downloaded file differs from the uploaded one")
        expect(download.header("Content-Type") == "application/pdf", f"Content-Type {download.header('Content-Type')}")
        expect(download.header("X-Content-Type-Options") == "nosniff", "download without nosniff")
        expect("filename*=UTF-8''" in download.header("Content-Disposition"), f"Content-Disposition {download.header('Content-Disposition')}")
        # Only nginx answers a byte range: the body came through X-Accel-Redirect, not gunicorn.
        partial = staff.get(download_path, headers={"Range": "bytes=0-99"})
        expect(partial.status == 206 and partial.body == content[:100],
               f"a byte range answered {partial.status}: the app, not nginx, sent the file")
        expect(partial.header("Content-Range") == f"bytes 0-99/{len(content)}", f"Content-Range {partial.header('Content-Range')}")
        print(f"    {len(content)} bytes up and down, served by nginx (byte ranges), {download.seconds:.2f} s")

        other = self.login("demo-other-staff")
        expect(other.get(download_path).status == 404, "another county's staff may download the file")
        anonymous = self.browser()
        response = anonymous.get(download_path)
        expect(response.status == 302 and "/accounts/login/" in response.header("Location"), "anonymous download not sent to login")
        stored = sorted(Path(self.options.media).rglob("*.pdf"), key=lambda p: p.stat().st_mtime)
        expect(stored, "no stored file in the media folder")
        relative = stored[-1].relative_to(self.options.media).as_posix()
        for path in (f"/protected-media/{relative}", f"/media/{relative}"):
            expect(other.get(path).status == 404, f"{path} is reachable from outside")
        mode = stored[-1].stat().st_mode & 0o777
        expect(mode == 0o640, f"stored file mode {oct(mode)}, not 0o640")
        for browser in (staff, other, anonymous):
            browser.close()

    # a bulletin PDF through the worker -------------------------------------------------------

    def bulletin_pdf(self):
        staff = self.login("demo-staff")
        listing = Page(staff.get("/reports/bulletins/").text)
        bulletins = [h for h in listing.main_links if re.fullmatch(r"/reports/bulletins/\d+/", h)]
        expect(bulletins, "no bulletin on demo-staff's list")
        for path in dict.fromkeys(bulletins):
            detail = staff.get(path)
            if f'action="{path}build/"' in detail.text:
                break
        else:
            raise CheckFailed("no issued bulletin waiting for its PDF")
        token = Page(detail.text).field("csrfmiddlewaretoken")
        started = time.monotonic()
        response = staff.post(f"{path}build/", {"csrfmiddlewaretoken": token}, referer=path)
        expect(response.status == 302, f"starting the build answered {response.status}")
        detail = staff.get(path)
        build = re.search(r'hx-get="(/reports/builds/\d+/)"', detail.text)
        if build:
            while True:
                panel = staff.get(build.group(1)).text
                if "pdf-download" in panel or "build-failed" in panel:
                    break
                expect(time.monotonic() - started < 90, "the worker did not build the PDF within 90 s")
                time.sleep(0.5)
            expect("pdf-download" in panel, f"the build failed: {panel[:800]}")
        pdf = staff.get(f"{path}pdf/")
        expect(pdf.status == 200 and pdf.body.startswith(b"%PDF"), f"bulletin PDF: {pdf.status}")
        expect(pdf.header("Content-Type") == "application/pdf", f"Content-Type {pdf.header('Content-Type')}")
        print(f"    built by the worker in {time.monotonic() - started:.1f} s, {len(pdf.body)} bytes")
        staff.close()
        worker_log = Path(self.options.logs, "worker.log").read_text(errors="replace")
        done = [json.loads(line) for line in worker_log.splitlines() if line.startswith("{") and '"reports.build_document_pdf"' in line]
        expect(any(entry.get("state") == "SUCCESS" for entry in done),
               "the worker's log has no successful reports.build_document_pdf task")

    # errors and logs ---------------------------------------------------------------------------

    def errors_and_logs(self):
        staff = self.login("demo-staff")
        missing = staff.get("/no-such-page/")
        request_id = missing.header("X-Request-ID")
        expect(missing.status == 404, f"/no-such-page/ answered {missing.status}")
        expect(request_id and request_id in missing.text, "the 404 page does not show the request id")
        staff.close()
        time.sleep(0.5)
        lines = [line for line in Path(self.options.logs, "web.log").read_text(errors="replace").splitlines() if request_id in line]
        expect(lines, "the web log has no line with the request id")
        entry = json.loads(lines[-1])
        for key in ("time", "user_id", "path", "status", "duration_ms", "request_id"):
            expect(key in entry, f"the request's log line lacks {key}: {entry}")
        expect(entry["status"] == 404 and entry["path"] == "/no-such-page/", f"log line: {entry}")
        access = [line for line in Path(self.options.logs, "nginx-access.log").read_text(errors="replace").splitlines() if request_id in line]
        expect(access, "nginx's access log has no line with the same request id")
        json.loads(access[-1])
        print(f"    request {request_id}: 404 page, app log and nginx log agree")


def pdf_bytes(size):
    """A valid one-page PDF padded to about ``size`` bytes with a binary stream."""
    padding = os.urandom(size)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
        b"<< /Length %d >>\nstream\n" % len(padding) + padding + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="https://host:port of nginx")
    parser.add_argument("--http-base", required=True, help="http://host:port of nginx's plain-HTTP server")
    parser.add_argument("--cafile", required=True, help="the site's (self-signed) certificate")
    parser.add_argument("--media", required=True, help="MEDIA_ROOT")
    parser.add_argument("--logs", required=True, help="folder with web.log, worker.log and nginx-access.log")
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--manage", help="deploy/manage: also open the main page list (benchmark_pages --paths-for) of each role")
    options = parser.parse_args()
    check = Check(options)
    started = time.monotonic()
    try:
        check.step("/healthz: database, Redis and the worker's heartbeat", check.health)
        check.step("TLS, HTTP/2, plain HTTP redirected", check.tls_and_redirect)
        for username in ROLES:
            check.step(f"{username}: log in, open every main page, its static files", check.open_main_pages, username)
        check.step("upload a material as staff, download it through nginx, 404 to another county", check.upload_and_download)
        check.step("a bulletin PDF built by the worker, downloaded", check.bulletin_pdf)
        check.step("404 page and logs carry the request id", check.errors_and_logs)
    except CheckFailed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    print(f"--> {check.pages_opened} pages and {len(check.static_checked)} static files in {time.monotonic() - started:.1f} s")
    for title, seconds in check.timings:
        print(f"    {seconds:6.1f} s  {title}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
