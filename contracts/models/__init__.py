from contracts.models.agreements import Agreement, AgreementTransition, AgreementVersion, Document, Milestone, Phase
from contracts.models.datasets import Dataset
from contracts.models.permissions import DataUsePermission, PermissionVersion
from contracts.models.responsibilities import ResponsibilityAssignment
from contracts.models.scan import ScanWatermark, UsageBucket
from contracts.models.usage import DeclarationIdempotencyKey, UsageDeclaration, UsageEvent

__all__ = [
    "Agreement",
    "AgreementTransition",
    "AgreementVersion",
    "DataUsePermission",
    "Dataset",
    "DeclarationIdempotencyKey",
    "Document",
    "Milestone",
    "PermissionVersion",
    "Phase",
    "ResponsibilityAssignment",
    "ScanWatermark",
    "UsageBucket",
    "UsageDeclaration",
    "UsageEvent",
]
