import threading

from django.core.management.base import BaseCommand

from members.notifications.robot_sink import RobotServer


class Command(BaseCommand):
    help = (
        "Receive chat robot posts locally and print them (a stand-in for DingTalk and WeCom). "
        "The demo group's robot posts here."
    )

    def add_arguments(self, parser):
        from members.notifications.demo import DEMO_ROBOT_PORT, DEMO_ROBOT_SECRET

        parser.add_argument("--port", type=int, default=DEMO_ROBOT_PORT)
        parser.add_argument("--secret", default=DEMO_ROBOT_SECRET, help="the DingTalk signing secret to check")

    def handle(self, *args, port, secret, **options):
        def show(post):
            if post.provider == "dingtalk":
                signed = "signature ok" if post.signature_ok else "SIGNATURE WRONG"
                markdown = post.body.get("markdown", {})
                text = markdown.get("text", "")
            else:
                signed = "no signature (WeCom)"
                text = post.body.get("markdown", {}).get("content", "") or str(post.body)
            self.stdout.write(self.style.SUCCESS(f"--- {post.provider}, {signed}"))
            self.stdout.write(text)
            self.stdout.flush()

        server = RobotServer(secret, port=port, on_post=show)
        self.stdout.write(
            f"Robot posts are received at http://127.0.0.1:{server.port}/robot/send (DingTalk) and "
            f"/cgi-bin/webhook/send (WeCom); Ctrl-C stops."
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
