"""Parameter models (torch-free, imported at registration)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from robustkit import Params

TRADITIONAL = ("scaling", "intermittent-zeroing", "time-varying-scaling", "peak-cutoff",
               "mean-scaling")
COVERT = ("reversed-order", "mean-replacement", "load-shifting", "shuffled-hours")


class SmartMeterParams(Params):
    n_meters: int = Field(400, ge=20, le=1_000_000, description="meters (one window each)")
    days: int = Field(14, ge=4, le=366, description="days per sample window")
    readings_per_day: int = Field(24, ge=4, le=288, description="readings per day")
    tampering: Literal["traditional", "covert", "all"] = Field("all", description=(
        f"which tampering: traditional {TRADITIONAL} lower the bill; covert {COVERT} keep "
        "the daily total (and most statistics) of the honest reading"))
    tampered_fraction: float = Field(0.5, gt=0, lt=1, description="share of tampered meters")
    test_fraction: float = Field(0.3, gt=0.05, lt=0.9, description="share of meters held out")


class MeterCSVParams(Params):
    path: str = Field(min_length=1, description=(
        "CSV file, one row per meter-day: meter_id, date (YYYY-MM-DD), the day's readings "
        "(any column names) and a 0/1 'label' column (1 = tampered)"))
    days: int = Field(14, ge=1, le=366, description="consecutive days per sample window")
    test_fraction: float = Field(0.3, gt=0.05, lt=0.9, description="share of meters held out")


class MeterCNNParams(Params):
    width: int = Field(32, ge=1, le=1024, description="channels of each conv layer")
    layers: int = Field(2, ge=1, le=8, description="conv layers over the days")
    kernel: int = Field(3, ge=1, le=15, description="conv kernel size, in days")
