"""Configuration: one settings object, read from `HOMEROOM_*` environment variables when it is built.

Nothing reads the environment at import time: the app factory, the CLI root and the test fixtures build
a `Settings` and pass it down.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

KIB = 1024
MIB = 1024 * KIB


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOMEROOM_", frozen=True, extra="forbid")

    database_url: str = Field("sqlite:///homeroom.db", description="SQLite file or PostgreSQL URL")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(1, ge=1)
    secure_cookies: bool = Field(default=False, description="mark cookies Secure (serve over HTTPS)")
    session_hours: float = Field(12.0, gt=0)
    invitation_days: float = Field(7.0, gt=0)
    impersonation_minutes: float = Field(
        30.0, gt=0, le=24 * 60, description="how long a partner impersonation lasts before it ends by itself"
    )
    max_body_bytes: int = Field(1 * MIB, ge=1024, description="largest JSON request body")
    max_upload_bytes: int = Field(512 * MIB, ge=1024, description="largest uploaded roster package")
    job_dir: str = Field("homeroom-jobs", description="folder for uploaded roster packages and exports")
    login_account_limit: int = Field(5, ge=1, description="failed logins per account per window")
    login_address_limit: int = Field(20, ge=1, description="failed logins per address per window")
    login_window_seconds: int = Field(900, ge=1)
    argon2_time_cost: int = Field(3, ge=1)
    argon2_memory_kib: int = Field(64 * KIB, ge=8)
    argon2_parallelism: int = Field(4, ge=1)
    page_size: int = Field(50, ge=1, le=1000)
    max_page_size: int = Field(500, ge=1, le=10_000)
    max_batch_checks: int = Field(10_000, ge=1, le=10_000)
