"""Word lists the sample-data generator draws from: people, companies, places, phrases.

Everything here is invented for the demo; any likeness to a real person or company is chance.
"""

from __future__ import annotations

# fmt: off

# (character, pinyin), most common surnames first; the generator favours the front of the list.
SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
    ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"),
    ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
    ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"),
    ("袁", "yuan"), ("潘", "pan"), ("于", "yu"), ("蒋", "jiang"), ("蔡", "cai"),
    ("余", "yu"), ("杜", "du"), ("叶", "ye"), ("程", "cheng"), ("苏", "su"),
    ("魏", "wei"), ("吕", "lv"), ("丁", "ding"), ("任", "ren"), ("沈", "shen"),
    ("姚", "yao"), ("卢", "lu"), ("姜", "jiang"), ("崔", "cui"), ("钟", "zhong"),
    ("谭", "tan"), ("陆", "lu"), ("汪", "wang"), ("范", "fan"), ("金", "jin"),
    ("石", "shi"), ("廖", "liao"), ("贾", "jia"), ("夏", "xia"), ("韦", "wei"),
    ("方", "fang"), ("白", "bai"), ("邹", "zou"), ("孟", "meng"), ("熊", "xiong"),
    ("秦", "qin"), ("邱", "qiu"), ("江", "jiang"), ("尹", "yin"), ("薛", "xue"),
    ("段", "duan"), ("雷", "lei"), ("侯", "hou"), ("龙", "long"), ("史", "shi"),
    ("陶", "tao"), ("黎", "li"), ("贺", "he"), ("顾", "gu"), ("毛", "mao"),
    ("郝", "hao"), ("龚", "gong"), ("邵", "shao"), ("万", "wan"), ("钱", "qian"),
    ("严", "yan"), ("欧阳", "ouyang"), ("上官", "shangguan"), ("司马", "sima"),
]

GIVEN_CHARS = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
    ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"), ("平", "ping"),
    ("刚", "gang"), ("英", "ying"), ("华", "hua"), ("慧", "hui"), ("建", "jian"),
    ("国", "guo"), ("文", "wen"), ("晨", "chen"), ("宇", "yu"), ("浩", "hao"),
    ("欣", "xin"), ("怡", "yi"), ("佳", "jia"), ("琳", "lin"), ("思", "si"),
    ("雨", "yu"), ("子", "zi"), ("梓", "zi"), ("涵", "han"), ("博", "bo"),
    ("鹏", "peng"), ("辉", "hui"), ("志", "zhi"), ("晓", "xiao"), ("婷", "ting"),
    ("雪", "xue"), ("倩", "qian"), ("颖", "ying"), ("凯", "kai"), ("然", "ran"),
    ("嘉", "jia"), ("俊", "jun"), ("峰", "feng"), ("斌", "bin"), ("蕾", "lei"),
    ("琪", "qi"), ("悦", "yue"), ("航", "hang"), ("睿", "rui"), ("哲", "zhe"),
    ("彤", "tong"), ("晶", "jing"), ("宁", "ning"), ("诗", "shi"), ("天", "tian"),
    ("海", "hai"), ("云", "yun"), ("立", "li"), ("春", "chun"), ("红", "hong"),
    ("玉", "yu"), ("兰", "lan"), ("萍", "ping"), ("新", "xin"), ("振", "zhen"),
    ("一", "yi"), ("若", "ruo"), ("可", "ke"), ("安", "an"), ("泽", "ze"),
]

EN_FIRST = [
    "James", "Emma", "Oliver", "Sophia", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia",
    "Ethan", "Charlotte", "Daniel", "Amelia", "Henry", "Grace", "Jack", "Chloe", "Ryan",
    "Hannah", "Michael", "Sarah", "David", "Laura", "Thomas", "Anna", "Kevin", "Rachel",
    "Priya", "Arjun", "Kenji", "Yuki", "Lukas", "Marie", "Mateo", "Sofia", "Daniela", "Omar",
]
EN_LAST = [
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Walker", "Wright",
    "Schmidt", "Fischer", "Weber", "Tanaka", "Suzuki", "Sato", "Kim", "Park", "Nguyen", "Tan",
    "Lim", "Ng", "Sharma", "Patel", "Garcia", "Rossi", "Martin", "Bernard", "Clark", "Hughes",
    "Green", "Becker", "Moreau", "Lopez", "Khan",
]

# Region value -> [(city, weight)]. International cities carry their country code and
# mobile number shape for phone numbers.
CITIES = {
    "east": [("上海", 10), ("杭州", 6), ("南京", 5), ("苏州", 5), ("宁波", 3), ("合肥", 3),
             ("济南", 3), ("青岛", 3), ("福州", 2), ("厦门", 2), ("无锡", 2)],
    "north": [("北京", 12), ("天津", 4), ("石家庄", 2), ("太原", 1), ("呼和浩特", 1)],
    "south": [("深圳", 9), ("广州", 8), ("东莞", 3), ("佛山", 3), ("珠海", 1), ("南宁", 1),
              ("海口", 1)],
    "southwest": [("成都", 6), ("重庆", 5), ("昆明", 2), ("贵阳", 2)],
    "central": [("武汉", 6), ("长沙", 4), ("郑州", 4), ("南昌", 2)],
    "northeast": [("沈阳", 3), ("大连", 3), ("长春", 2), ("哈尔滨", 2)],
    "northwest": [("西安", 6), ("兰州", 1), ("乌鲁木齐", 1), ("银川", 1)],
    "international": [("Singapore", 5), ("London", 3), ("Frankfurt", 3), ("San Francisco", 3),
                      ("Tokyo", 3), ("Sydney", 2), ("Seoul", 2)],
}

# International city -> (country calling code, national mobile number template: # = digit).
INTL_PHONES = {
    "Singapore": ("+65", "9### ####"),
    "London": ("+44", "7700 9#####"),
    "Frankfurt": ("+49", "151 ########"),
    "San Francisco": ("+1", "415 555 01##"),
    "Tokyo": ("+81", "90 #### ####"),
    "Sydney": ("+61", "4## ### ###"),
    "Seoul": ("+82", "10 #### ####"),
}

INTL_COMPANY_SUFFIX = {
    "Singapore": "Pte. Ltd.", "London": "Ltd", "Frankfurt": "GmbH", "San Francisco": "Inc.",
    "Tokyo": "K.K.", "Sydney": "Pty Ltd", "Seoul": "Co., Ltd.",
}

# Mobile prefixes of the three Chinese carriers.
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "170", "173", "175", "176", "177", "178", "180",
    "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199",
]

BRAND_CHARS = [
    ("华", "hua"), ("信", "xin"), ("达", "da"), ("盛", "sheng"), ("恒", "heng"), ("瑞", "rui"),
    ("博", "bo"), ("远", "yuan"), ("鼎", "ding"), ("嘉", "jia"), ("泰", "tai"), ("宏", "hong"),
    ("创", "chuang"), ("智", "zhi"), ("联", "lian"), ("科", "ke"), ("锐", "rui"), ("航", "hang"),
    ("启", "qi"), ("拓", "tuo"), ("源", "yuan"), ("康", "kang"), ("晟", "sheng"), ("润", "run"),
    ("凯", "kai"), ("辰", "chen"), ("越", "yue"), ("卓", "zhuo"), ("诚", "cheng"), ("安", "an"),
    ("云", "yun"), ("海", "hai"), ("星", "xing"), ("蓝", "lan"), ("汇", "hui"), ("腾", "teng"),
    ("峰", "feng"), ("骏", "jun"), ("思", "si"), ("岳", "yue"), ("途", "tu"), ("弘", "hong"),
    ("景", "jing"), ("致", "zhi"), ("和", "he"), ("元", "yuan"), ("领", "ling"), ("帆", "fan"),
    ("微", "wei"), ("澜", "lan"), ("沃", "wo"), ("朗", "lang"), ("捷", "jie"), ("维", "wei"),
]

# Industry -> [(business words in a company name, English domain hint)].
INDUSTRY_WORDS = {
    "manufacturing": [("精密机械", "machinery"), ("智能装备", "equip"), ("电子科技", "elec"),
                      ("新材料", "materials")],
    "internet": [("网络科技", "tech"), ("软件", "soft"), ("信息技术", "it"), ("数据科技", "data")],
    "finance": [("金融服务", "fin"), ("投资管理", "capital"), ("保险经纪", "insurance"),
                ("融资租赁", "leasing")],
    "retail": [("商贸", "trade"), ("消费品", "consumer"), ("食品", "foods"), ("服饰", "fashion")],
    "healthcare": [("医疗器械", "medical"), ("生物科技", "bio"), ("健康管理", "health"),
                   ("医药", "pharma")],
    "education": [("教育科技", "edu"), ("职业培训", "training"), ("文化传播", "culture")],
    "real_estate": [("置业", "land"), ("建设工程", "build"), ("物业服务", "property")],
    "energy": [("新能源", "energy"), ("化工", "chem"), ("环保科技", "eco")],
    "logistics": [("物流", "logistics"), ("供应链管理", "scm"), ("国际货运", "freight")],
    "automotive": [("汽车零部件", "auto"), ("新能源汽车", "ev"), ("汽车销售服务", "motors")],
    "professional_services": [("管理咨询", "consulting"), ("人力资源", "hr"),
                              ("企业服务", "biz")],
    "public_sector": [("城市发展", "city"), ("数字产业", "digital"), ("公共服务", "public")],
}

COMPANY_SUFFIXES = [("有限公司", 7), ("股份有限公司", 2), ("集团有限公司", 1)]

EN_COMPANY_ADJ = [
    "Blue River", "Northwind", "Silverline", "Brightpath", "Summit", "Redwood", "Keystone",
    "Evergreen", "Harbor", "Cobalt", "Sterling", "Pinnacle", "Meridian", "Lumen", "Atlas",
    "Crescent", "Granite", "Horizon",
]
EN_COMPANY_NOUN = {
    "manufacturing": "Precision", "internet": "Software", "finance": "Capital",
    "retail": "Consumer Brands", "healthcare": "Health", "education": "Learning",
    "real_estate": "Properties", "energy": "Energy", "logistics": "Logistics",
    "automotive": "Mobility", "professional_services": "Advisory", "public_sector": "Public",
}

JOB_TITLES_ZH = [
    ("市场总监", 8), ("市场经理", 10), ("数字营销经理", 6), ("品牌经理", 4), ("市场专员", 8),
    ("销售总监", 6), ("销售经理", 6), ("总经理", 4), ("CEO", 2), ("CMO", 2), ("IT 经理", 4),
    ("CIO", 1), ("运营总监", 3), ("产品经理", 3), ("采购经理", 2), ("客服主管", 2),
    ("增长负责人", 2), ("副总裁", 1),
]
JOB_TITLES_EN = [
    ("Marketing Director", 5), ("Marketing Manager", 6), ("Head of Growth", 3), ("CMO", 2),
    ("VP Sales", 3), ("IT Manager", 3), ("Procurement Lead", 1), ("Managing Director", 2),
    ("Digital Marketing Manager", 4), ("Operations Director", 2),
]

WEBMAIL_ZH = [("qq.com", 5), ("163.com", 4), ("126.com", 2), ("139.com", 1), ("sina.com", 1)]
WEBMAIL_EN = [("gmail.com", 5), ("outlook.com", 3), ("yahoo.com", 1)]

SEM_TERMS = [
    "营销自动化", "CRM系统", "线索管理", "客户管理软件", "营销云", "私域运营", "CDP平台",
    "销售管理系统", "企业微信SCRM", "营销ROI分析", "B2B获客", "线索评分",
]
SEM_INDUSTRY_TERMS = [
    "制造业CRM", "医疗器械营销", "汽车经销商CRM", "教育行业获客", "金融客户管理",
    "零售会员营销", "物流客户管理", "工业品营销",
]

NEEDS = [
    "线索分散在 Excel 和多个表单工具里,想统一管理",
    "市场部无法衡量各渠道活动的 ROI",
    "销售跟进不及时,线索流失严重",
    "缺少统一的客户视图,市场和销售数据不通",
    "希望打通企业微信和 CRM",
    "想做线索评分和自动分配",
    "展会名片录入效率低,希望现场扫码留资",
    "老系统报表需要手工整理,管理层看不到实时数据",
    "需要按区域管理经销商和线索分配",
    "希望公海池自动回收长期未跟进的线索",
]
NEEDS_EN = [
    "leads are scattered across spreadsheets and form tools",
    "marketing cannot measure campaign ROI by channel",
    "sales follow-up is slow and leads go cold",
    "they want one customer view shared by marketing and sales",
    "they need lead scoring and automatic assignment",
]

COMPETITORS = ["某国际 CRM 厂商", "某国产 SaaS 厂商", "客户自研系统", "某营销自动化创业公司",
               "Excel + 表单工具", "某 ERP 厂商 CRM 模块"]

TICKET_SUBJECTS = {
    "consultation": ["数据导出格式咨询", "API 调用频率限制咨询", "如何设置线索自动分配规则",
                     "仪表盘权限如何配置", "如何批量导入历史客户"],
    "incident": ["登录后仪表盘加载缓慢", "企微消息同步失败", "线索导入 Excel 报错",
                 "表单提交后未生成线索", "邮件发送被退信", "移动端审批页面空白"],
    "feature_request": ["希望支持自定义评分规则", "希望增加按季度的 ROI 报表",
                        "希望支持抖音线索自动同步", "希望合同支持多币种"],
    "complaint": ["对账单金额有误", "实施进度延迟", "客服响应太慢"],
    "training": ["管理员培训预约", "新员工系统使用培训", "报表设计器培训"],
    "data_request": ["申请清洗重复线索", "申请恢复误删的客户数据", "申请新增 10 个用户许可"],
}

# City -> province (for the account's province/city field).
PROVINCES = {
    "上海": "上海市", "杭州": "浙江省", "南京": "江苏省", "苏州": "江苏省", "宁波": "浙江省",
    "合肥": "安徽省", "济南": "山东省", "青岛": "山东省", "福州": "福建省", "厦门": "福建省",
    "无锡": "江苏省", "北京": "北京市", "天津": "天津市", "石家庄": "河北省", "太原": "山西省",
    "呼和浩特": "内蒙古自治区", "深圳": "广东省", "广州": "广东省", "东莞": "广东省",
    "佛山": "广东省", "珠海": "广东省", "南宁": "广西壮族自治区", "海口": "海南省",
    "成都": "四川省", "重庆": "重庆市", "昆明": "云南省", "贵阳": "贵州省", "武汉": "湖北省",
    "长沙": "湖南省", "郑州": "河南省", "南昌": "江西省", "沈阳": "辽宁省", "大连": "辽宁省",
    "长春": "吉林省", "哈尔滨": "黑龙江省", "西安": "陕西省", "兰州": "甘肃省",
    "乌鲁木齐": "新疆维吾尔自治区", "银川": "宁夏回族自治区",
}
MUNICIPALITIES = ("上海", "北京", "天津", "重庆")

# City -> telephone area code (for company switchboard numbers like 021-6123 4567).
AREA_CODES = {
    "上海": "021", "杭州": "0571", "南京": "025", "苏州": "0512", "宁波": "0574", "合肥": "0551",
    "济南": "0531", "青岛": "0532", "福州": "0591", "厦门": "0592", "无锡": "0510",
    "北京": "010", "天津": "022", "石家庄": "0311", "太原": "0351", "呼和浩特": "0471",
    "深圳": "0755", "广州": "020", "东莞": "0769", "佛山": "0757", "珠海": "0756",
    "南宁": "0771", "海口": "0898", "成都": "028", "重庆": "023", "昆明": "0871",
    "贵阳": "0851", "武汉": "027", "长沙": "0731", "郑州": "0371", "南昌": "0791",
    "沈阳": "024", "大连": "0411", "长春": "0431", "哈尔滨": "0451", "西安": "029",
    "兰州": "0931", "乌鲁木齐": "0991", "银川": "0951",
}
