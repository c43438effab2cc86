"""A local stand-in for DingTalk's custom robot and WeCom's group robot webhooks.

The tests post to it (the ``robot_server`` fixture) and so can anyone trying the app without a
real chat: ``manage.py robot_sink`` serves it on 127.0.0.1:8025, where the demo group's robot
points (see ``members.notifications.demo``). It checks DingTalk's signature (HMAC-SHA256 of
"timestamp\\nsecret", Base64, within an hour) and records every payload.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

DEFAULT_SECRET = "SECtestsecret"


class RobotServer:
    def __init__(self, secret: str = DEFAULT_SECRET, *, host: str = "127.0.0.1", port: int = 0, on_post=None):
        self.secret = secret
        self.posts = []
        self.fail_next = 0  # answer this many posts with a passing error (errcode -1, busy)
        self.reply = None  # (status, body bytes, headers): answer every post with this instead
        self.hang = None  # a threading.Event: hold each post until set
        self.lock = threading.Lock()
        self.on_post = on_post
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = {}
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                provider = "dingtalk" if url.path.startswith("/robot/send") else "wecom"
                signature_ok = None
                if provider == "dingtalk":
                    signature_ok = robot.check_signature(query.get("timestamp"), query.get("sign"))
                post = SimpleNamespace(provider=provider, query=query, body=body, signature_ok=signature_ok,
                                       received_at=time.monotonic())
                with robot.lock:
                    robot.posts.append(post)
                    failing = robot.fail_next > 0
                    if failing:
                        robot.fail_next -= 1
                if robot.on_post is not None:
                    robot.on_post(post)
                if robot.hang is not None:
                    robot.hang.wait(60)
                if provider == "dingtalk" and not signature_ok:
                    answer = {"errcode": 310000, "errmsg": "sign not match"}
                elif failing:
                    answer = {"errcode": -1, "errmsg": "system busy"}
                else:
                    answer = {"errcode": 0, "errmsg": "ok"}
                data = json.dumps(answer).encode()
                status, headers = 200, {"Content-Type": "application/json"}
                if robot.reply is not None:
                    status, data, headers = robot.reply
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def check_signature(self, timestamp, sign) -> bool:
        if not timestamp or not sign:
            return False
        try:
            if abs(time.time() * 1000 - int(timestamp)) > 3600 * 1000:
                return False
        except ValueError:
            return False
        digest = hmac.new(self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256).digest()
        return hmac.compare_digest(base64.b64encode(digest).decode(), sign)

    @property
    def dingtalk_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/robot/send?access_token=test-token"

    @property
    def wecom_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key=test-key"

    def stop(self):
        if self.hang is not None:
            self.hang.set()
        self.server.shutdown()
        self.server.server_close()
