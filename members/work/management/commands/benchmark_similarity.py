"""Time the copy check against a county's year of texts.

    python manage.py benchmark_similarity --texts 20000 [--checks 50]

Generates ``--texts`` reflections (about 1,000 Chinese characters each, sentences drawn from a
pool, so texts share phrases the way real ones do) with their fingerprints in a scratch group,
then times ``--checks`` checks of new texts (a third of them near-copies of stored ones) and
prints the time per check (median, p95). Everything runs in a transaction that is rolled back.
"""

import random
import statistics
import time

from django.db import connection, transaction
from django.utils import timezone

from members.models import Organization, StudyGroup, User
from members.work import similarity
from members.work.models import FingerprintBand, MemberWork, TextFingerprint
from studygroup.management.figures import FiguresCommand

OPENINGS = ["通过这次集中学习", "认真研读原文后", "结合近期工作实际", "在学习讨论中", "回顾一年来的工作"]
SUBJECTS = ["乡村振兴", "基层治理", "教育公平", "生态保护", "安全生产", "营商环境", "民生保障", "党风廉政",
            "产业发展", "文化建设", "城乡融合", "数字政府", "医疗卫生", "防汛救灾", "社会稳定", "科技创新"]
VERBS = ["深刻认识到", "进一步理解了", "切实感受到", "更加明确了", "体会到"]
OBJECTS = ["以人民为中心的发展思想", "高质量发展的本质要求", "全面从严治党的重要意义", "群众路线的生命力",
           "理论联系实际的工作方法", "守正创新的实践要求", "系统观念的科学方法", "底线思维的重要性"]
ACTIONS = ["要把学习成果转化为推动工作的实际成效", "要坚持问题导向，抓好整改落实", "要深入基层调查研究，解决群众急难愁盼问题",
           "要压紧压实责任，确保各项任务落地见效", "要加强队伍建设，提升干部履职能力", "要建立长效机制，防止问题反弹"]


# About 600 common characters: free sentences drawn from them share few 4-character shingles,
# as different members' texts do; one sentence in four is the shared boilerplate above.
COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方"
    "后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开"
    "它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此"
    "变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老"
    "头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门"
    "即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花"
    "带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段"
    "研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳"
    "便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京"
)


def phrase(rng: random.Random) -> str:
    return "".join(rng.choice(COMMON) for _ in range(rng.randint(6, 14)))


def sentence(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return (f"{rng.choice(OPENINGS)}，我在{rng.choice(SUBJECTS)}工作中{rng.choice(VERBS)}{rng.choice(OBJECTS)}，"
                f"{rng.choice(ACTIONS)}。")
    return f"{phrase(rng)}，{phrase(rng)}，{rng.choice(SUBJECTS)}{phrase(rng)}{rng.randint(2, 98)}%。"


def text(rng: random.Random, sentences: int = 14) -> str:
    paragraphs = []
    for _ in range(4):
        paragraphs.append("".join(sentence(rng) for _ in range(sentences // 4 + 1)))
    return "\n".join(paragraphs)


def edit(rng: random.Random, original: str) -> str:
    """A near-copy: paragraphs reordered, a sentence added, a few words changed."""
    paragraphs = original.split("\n")
    rng.shuffle(paragraphs)
    paragraphs.append(sentence(rng))
    return "\n".join(paragraphs).replace("切实", "真切", 2)


class Rollback(Exception):
    pass


class Command(FiguresCommand):
    help = "Time copy checks against a generated year of texts (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--texts", type=int, default=20000)
        parser.add_argument("--checks", type=int, default=50)
        parser.add_argument("--seed", type=int, default=6)

    def handle(self, *args, texts, checks, seed, **options):
        try:
            with transaction.atomic():
                self.run(texts, checks, seed)
                raise Rollback
        except Rollback:
            self.stdout.write("Scratch data rolled back.")

    def run(self, count, checks, seed):
        rng = random.Random(seed)
        year = timezone.localdate().year
        org = Organization.objects.add_root({"name": "基准测试临时单位", "kind": "party_committee", "level": "county"})
        group = StudyGroup.objects.create(organization=org, name="基准测试临时中心组")
        author = User.objects.create(username=f"bench-{rng.random():.8f}", name="基准测试")
        self.stdout.write(f"Database: {connection.vendor}. Generating {count} texts…")
        started = time.perf_counter()
        bodies = []
        batch = 1000
        for offset in range(0, count, batch):
            n = min(batch, count - offset)
            chunk = [text(rng) for _ in range(n)]
            bodies.extend(chunk[:5] if offset == 0 else [])
            works = MemberWork.objects.bulk_create(
                MemberWork(kind="reflection", group=group, author=author, year=year, title=f"心得{offset + i}",
                           body=body, status="submitted", first_submitted_at=timezone.now(),
                           submitted_at=timezone.now(), occurred_on=timezone.localdate())
                for i, body in enumerate(chunk)
            )
            fingerprints, bands = [], []
            for work, body in zip(works, chunk):
                sig = similarity.signature(similarity.shingle_hashes(similarity.normalise(body)[0]))
                fingerprints.append(TextFingerprint(work=work, group=group, year=year, signature=similarity.pack(sig)))
            fingerprints = TextFingerprint.objects.bulk_create(fingerprints)
            for fingerprint in fingerprints:
                for h in similarity.band_hashes(list(similarity.unpack(fingerprint.signature))):
                    bands.append(FingerprintBand(fingerprint=fingerprint, group=group, year=year, band_hash=h))
            FingerprintBand.objects.bulk_create(bands, batch_size=5000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE work_fingerprintband; ANALYZE work_textfingerprint; ANALYZE work_memberwork")
        self.stdout.write(f"Generated in {time.perf_counter() - started:.1f} s "
                          f"({FingerprintBand.objects.filter(group=group).count()} band rows).")

        probe = MemberWork.objects.create(kind="reflection", group=group, author=author, year=year, title="待检",
                                          body="", status="submitted", occurred_on=timezone.localdate())
        times, found = [], 0
        for index in range(checks):
            body = edit(rng, rng.choice(bodies)) if index % 3 == 0 else text(rng)
            t0 = time.perf_counter()
            result = similarity.check(probe, text=body, save=False)
            times.append((time.perf_counter() - t0) * 1000)
            if index % 3 == 0 and result.score > 0.5:
                found += 1
        times.sort()
        p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
        self.report(database=connection.vendor, texts=count, checks=checks, median_ms=round(statistics.median(times), 1),
                    p95_ms=round(p95, 1), max_ms=round(times[-1], 1), near_copies_found=found, near_copies=(checks + 2) // 3)
        self.stdout.write(
            f"{checks} checks against {count} texts: median {statistics.median(times):.1f} ms, "
            f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms; near-copies found {found}/{(checks + 2) // 3}."
        )
