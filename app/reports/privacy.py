"""Reports in the GDPR erasure (see app.accounts.privacy): their tables hold no text
about people."""

from app.accounts.privacy import CODE, REFERENCE, Part

PART = Part(
    "reports",
    no_personal_text={
        "funding_project.name": REFERENCE,
        "project_target.industry": CODE,
    },
)
