"""GB/T 42195-2022 《老年人能力评估规范》 as data: the seed of the default
instrument (ASSESSMENT.md §1.3–1.6). Option texts are condensed; the
database copy is what screens show and what an administrator revises by
adding a new version. Scores and bands are the standard's."""

from apps.assessments.scoring import Band, ChangeRules, Dimension, Instrument, Item, Option

CODE = "GB/T 42195-2022"
VERSION = "2022"

ASSIST5 = [
    ("4", 4, "独立完成，不需要协助"),
    ("3", 3, "在他人指导或提示下完成"),
    ("2", 2, "需要协助，但以自身完成为主"),
    ("1", 1, "主要依靠他人协助，自身能配合"),
    ("0", 0, "完全依赖他人，且不能配合"),
]


def _levels(*labels: str) -> list[tuple[str, int, str]]:
    """Options scored from len-1 down to 0, in the order given."""
    top = len(labels) - 1
    return [(str(top - i), top - i, label) for i, label in enumerate(labels)]


DIMENSIONS = [
    ("B1", "自理能力"),
    ("B2", "基础运动能力"),
    ("B3", "精神状态"),
    ("B4", "感知觉与社会参与"),
]

# (code, dimension, label, options as (code, score, label[, coma]))
ITEMS = [
    ("B1_1", "B1", "进食", _levels(
        "独立使用餐具进食，无呛咳",
        "在提示下或借助辅具独立完成，无呛咳",
        "需少量接触式协助，偶有呛咳（每月≥1次）",
        "需大量接触式协助，经常呛咳（每周≥1次）",
        "完全依赖他人喂食，或有吞咽困难，或留置营养管")),
    ("B1_2", "B1", "修饰", ASSIST5),
    ("B1_3", "B1", "洗澡", ASSIST5),
    ("B1_4", "B1", "穿/脱上衣", ASSIST5),
    ("B1_5", "B1", "穿/脱裤子和鞋袜", ASSIST5),
    ("B1_6", "B1", "小便控制", _levels(
        "控制和排尿频率正常",
        "白天可控制，夜间次数增多或控制较差，或自行使用尿垫",
        "白天大部分可控制，偶有失禁，夜间控制差，或需少量协助使用尿垫",
        "白天大部分不能控制，夜间失禁，或需大量协助使用尿垫",
        "完全失禁，或留置导尿管")),
    ("B1_7", "B1", "大便控制", _levels(
        "排便正常",
        "有时便秘或失禁（每周<1次），或自行使用开塞露、尿垫",
        "经常便秘或失禁（每天<1次但每周>1次），或需少量协助",
        "大部分时间便秘或失禁（每天≥1次），或需大量协助",
        "严重便秘或完全失禁，需依赖他人协助排便或清洁")),
    ("B1_8", "B1", "如厕", ASSIST5),
    ("B2_1", "B2", "床上体位转移", ASSIST5),
    ("B2_2", "B2", "床椅转移", ASSIST5),
    ("B2_3", "B2", "平地行走", _levels(
        "可独立平地行走约50米，无摔倒风险",
        "可行走约50米但有摔倒风险，需监护或指导，或使用拐杖、助行器",
        "行走时需少量扶持协助",
        "行走时需大量扶持协助",
        "完全不能行走")),
    ("B2_4", "B2", "上下楼梯", _levels(
        "可独立上下楼梯（连续10～15个台阶）",
        "在他人指导或提示下完成",
        "需要协助，但以自身完成为主",
        "主要依靠他人协助或完全依赖他人")),
    ("B3_1", "B3", "时间定向", _levels(
        "时间观念清楚，可说出年月，日期或星期可差一天",
        "时间观念有些下降，年、月、日或星期不能全部分清（相差两天或以上）",
        "时间观念较差，只知上半年或下半年或季节",
        "时间观念很差，只知上午下午或白天夜间",
        "无时间观念")),
    ("B3_2", "B3", "空间定向", _levels(
        "能在日常生活范围内单独外出，如在居住小区内独自外出购物",
        "不能单独外出，但能准确知道自己日常生活所在地的地址信息",
        "不能单独外出，但知道较多有关自己日常生活的地址信息",
        "不能单独外出，但知道较少自己居住或生活所在地的地址信息",
        "不能单独外出，无空间观念")),
    ("B3_3", "B3", "人物定向", _levels(
        "认识长期共同生活的人，能称呼并知道关系",
        "能认识大部分共同生活的人，能称呼或知道关系",
        "能认识部分日常同住的亲人或照护者",
        "只认识自己或极少数日常同住的亲人或照护者",
        "不认识任何人（包括自己）")),
    ("B3_4", "B3", "记忆", _levels(
        "总体记忆良好，与年龄相符",
        "出现轻度记忆紊乱（5分钟后仅能回忆0～1个词）",
        "出现中度记忆紊乱（不能回忆近期事件，如上一顿饭）",
        "出现重度记忆紊乱（不能回忆远期事件，如老朋友）",
        "记忆完全紊乱或完全不可评估")),
    ("B3_5", "B3", "理解能力", _levels(
        "能正常理解他人的话",
        "能理解他人的话，但需要增加时间",
        "理解有困难，需频繁重复或简化口头表达",
        "理解有严重困难，需要大量他人帮助",
        "完全不能理解他人的话")),
    ("B3_6", "B3", "表达能力", _levels(
        "能正常表达自己的想法",
        "能表达自己的需要，但需要增加时间",
        "表达需要有困难，需频繁重复或简化口头表达",
        "表达有严重困难，需要大量他人帮助",
        "完全不能表达需要")),
    ("B3_7", "B3", "攻击行为", _levels("未出现", "近一个月内出现过攻击行为")),
    ("B3_8", "B3", "抑郁症状", _levels("未出现", "近一个月内出现过负性情绪")),
    ("B3_9", "B3", "意识水平", [
        ("2", 2, "神志清醒，对周围环境能做出正确反应"),
        ("1", 1, "嗜睡或意识模糊"),
        ("0", 0, "昏睡（强刺激可短暂唤醒）"),
        ("coma", 0, "昏迷", True),
    ]),
    ("B4_1", "B4", "视力", _levels(
        "视力正常",
        "能看清楚大字体，但看不清书报上的标准字体；或辨认物体有困难",
        "只能看到光、颜色和形状；或完全失明")),
    ("B4_2", "B4", "听力", _levels(
        "听力正常",
        "听不清正常说话声或2米以外的声音，正常交流有些困难",
        "讲话者大声说话或说话很慢才能部分听见；或完全失聪")),
    ("B4_3", "B4", "执行日常事务", _levels(
        "能完全独立计划、安排和完成日常事务",
        "在计划、安排和完成日常事务时需要他人监护或指导",
        "在计划、安排和完成日常事务时需要少量协助",
        "在计划、安排和完成日常事务时需要大量协助",
        "完全依赖他人进行日常事务")),
    ("B4_4", "B4", "使用交通工具外出", _levels(
        "能自己骑车或搭乘公共交通工具外出",
        "能自己搭乘出租车，但不会搭乘其他公共交通工具外出",
        "当有人协助或陪伴，可搭乘公共交通工具外出",
        "只能在他人协助下搭乘出租车或私家车外出；或完全不能出门")),
    ("B4_5", "B4", "社会交往能力", _levels(
        "参与社会，在社会环境有一定的适应能力，待人接物恰当",
        "能适应单纯环境，主动接触他人，初见面时难让人发现智力问题，不能理解隐喻语",
        "脱离社会，可被动接触，不会主动待人，谈话中很多不适词句，容易上当受骗",
        "勉强可与他人接触，谈吐内容不清楚，表情不恰当",
        "不能与人交往")),
]

BANDS = [
    ("intact", 0, 90, 90, "能力完好"),
    ("mild", 1, 66, 89, "能力轻度受损（轻度失能）"),
    ("moderate", 2, 46, 65, "能力中度受损（中度失能）"),
    ("severe", 3, 30, 45, "能力重度受损（重度失能）"),
    ("complete", 4, 0, 29, "能力完全丧失（完全失能）"),
]

# ASSESSMENT.md §0.1 item 6: final grade -> the care-need level subsidies use.
CARE_NEED_LEVELS = {"intact": "none", "mild": "mild", "moderate": "moderate",
                    "severe": "severe", "complete": "severe"}

RULES = ChangeRules(coma_grade="complete", mental_raises=True, events_raise=True,
                    events_threshold=2, event_count_cap=3, max_raise=1)

RISK_EVENTS = [("fall", "跌倒"), ("choking", "噎食"), ("self_harm", "自杀、自伤"),
               ("wandering", "走失"), ("other", "其他")]


def gbt_42195() -> Instrument:
    """The standard as the scoring engine takes it."""
    return Instrument(
        code=CODE, version=VERSION,
        dimensions=tuple(Dimension(code, label) for code, label in DIMENSIONS),
        items=tuple(Item(code, dimension, label, tuple(Option(*o) for o in options))
                    for code, dimension, label, options in ITEMS),
        bands=tuple(Band(*band) for band in BANDS),
        rules=RULES,
    )


# Other results §0.1 item 7 lets a district record and map the same way.
BARTHEL = {
    "code": "Barthel", "version": "1965", "name": "Barthel 指数", "kind": "total",
    "basis": "Mahoney & Barthel 1965; 分级 WS/T 431-2013",
    "bands": [("independent", 0, 100, 100, "无需依赖"), ("slight", 1, 61, 99, "轻度依赖"),
              ("moderate", 2, 41, 60, "中度依赖"), ("severe", 3, 0, 40, "重度依赖")],
    "care_levels": {"independent": "none", "slight": "mild", "moderate": "moderate",
                    "severe": "severe"},
}
LTC_2021 = {
    "code": "LTC-2021", "version": "2021", "name": "长期护理失能等级评估标准（试行）",
    "kind": "grade", "basis": "医保办发〔2021〕37号",
    "bands": [("0", 0, None, None, "基本正常"), ("1", 1, None, None, "轻度失能"),
              ("2", 2, None, None, "中度失能"), ("3", 3, None, None, "重度失能Ⅰ级"),
              ("4", 4, None, None, "重度失能Ⅱ级"), ("5", 5, None, None, "重度失能Ⅲ级")],
    "care_levels": {"0": "none", "1": "mild", "2": "moderate", "3": "severe", "4": "severe",
                    "5": "severe"},
}


def seed(apps) -> None:
    """Create the seeded instruments (for a data migration; idempotent)."""
    Instrument = apps.get_model("assessments", "Instrument")
    if Instrument.objects.filter(code=CODE, version=VERSION).exists():
        return
    gbt = Instrument.objects.create(
        code=CODE, version=VERSION, name="老年人能力评估规范", kind="items", is_default=True,
        basis="GB/T 42195-2022", coma_grade=RULES.coma_grade,
        mental_diagnosis_raises=RULES.mental_raises, risk_events_raise=RULES.events_raise,
        risk_events_threshold=RULES.events_threshold,
        risk_event_count_cap=RULES.event_count_cap, max_raise=RULES.max_raise)
    dimensions = {code: gbt.dimensions.create(code=code, label=label, order=i)
                  for i, (code, label) in enumerate(DIMENSIONS)}
    for i, (code, dimension, label, options) in enumerate(ITEMS):
        item = gbt.items.create(code=code, dimension=dimensions[dimension], label=label,
                                order=i)
        for j, option in enumerate(options):
            code_, score_, label_, *coma = option
            item.options.create(code=code_, score=score_, label=label_,
                                is_coma=bool(coma and coma[0]), order=j)
    _bands(gbt, BANDS, CARE_NEED_LEVELS)
    for data in (BARTHEL, LTC_2021):
        other = Instrument.objects.create(
            code=data["code"], version=data["version"], name=data["name"], kind=data["kind"],
            basis=data["basis"])
        _bands(other, data["bands"], data["care_levels"])


def _bands(instrument, bands, care_levels) -> None:
    for grade, ordinal, low, high, label in bands:
        instrument.bands.create(grade=grade, ordinal=ordinal, low=low, high=high, label=label)
    for grade, level in care_levels.items():
        instrument.care_levels.create(grade=grade, care_level=level)
