"""Government datasets of every grade and personal-information level."""

from contracts.demo.common import as_user
from contracts.demo.parties import org
from contracts.models import Dataset
from contracts.services.datasets import dataset_create

# code: (owner key, name, English name, grade, personal_info, description)
DATASETS = {
    "BDB-POP-STATS": ("bureau", "人口统计汇总数据", "Aggregated population statistics", "general", "none",
                      "Counts by county, age band and sex; no individual rows."),
    "BDB-LEGAL-ENTITY": ("bureau", "法人单位基础信息", "Legal-entity register", "general", "none",
                         "Registered enterprises and institutions, public register fields."),
    "BDB-GRID-BASE": ("bureau", "网格化基础地理数据", "Base geographic grid", "important", "none",
                      "Grid cells, buildings and addresses used for urban management."),
    "BDB-SOCIAL-SEC": ("bureau", "社会保险参保信息", "Social insurance enrolment", "important", "personal",
                       "Who is enrolled where; identity numbers masked at source."),
    "HC-EHR": ("health", "居民电子健康档案", "Residents' electronic health records", "core", "sensitive",
               "Diagnoses, prescriptions and examinations."),
    "HC-VACC": ("health", "疫苗接种记录", "Vaccination records", "important", "sensitive",
                "Per-dose records with vaccination site."),
    "HC-HOSP-RES": ("health", "医疗机构资源统计", "Hospital resource statistics", "general", "none",
                    "Beds, staff and equipment per hospital, monthly."),
    "PSD-TRAFFIC": ("police", "道路交通流量数据", "Road traffic flow", "general", "none",
                    "Loop-detector and camera counts per road segment, 5-minute buckets."),
    "PSD-VEHICLE": ("police", "机动车登记信息", "Motor-vehicle registration", "important", "personal",
                    "Plate, vehicle type and registered keeper."),
    "PSD-HUKOU": ("police", "户籍人口信息", "Household registration", "core", "sensitive",
                  "Residents' household registration, identity and family relations."),
    "PSD-CCTV-SITES": ("police", "视频监控点位信息", "CCTV camera sites", "core", "none",
                       "Locations and coverage of public-security cameras."),
}  # fmt: skip


def ensure_dataset(code: str) -> Dataset:
    existing = Dataset.objects.filter(code=code).first()
    if existing is not None:
        return existing
    owner, name, name_en, grade, personal_info, description = DATASETS[code]
    return dataset_create(
        actor=as_user("officer"),
        code=code,
        name=name,
        name_en=name_en,
        owner=org(owner),
        grade=grade,
        personal_info=personal_info,
        description=description,
    )


def load() -> None:
    for code in DATASETS:
        ensure_dataset(code)
