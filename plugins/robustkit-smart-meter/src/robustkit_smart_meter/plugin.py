"""Registers the smart-meter data sets and model. Factories are lazy strings."""

from robustkit import hookimpl
from robustkit_smart_meter.params import MeterCNNParams, MeterCSVParams, SmartMeterParams


@hookimpl
def robustkit_register_datasets(register):
    register.dataset(
        "smart-meter",
        "robustkit_smart_meter.synthetic:SmartMeter",
        params=SmartMeterParams,
        task="classification",
        modality="sequence",
        summary="seeded synthetic meter windows (days x readings), normal vs tampered",
    )
    register.dataset(
        "meter-csv",
        "robustkit_smart_meter.csv_loader:MeterCSV",
        params=MeterCSVParams,
        task="classification",
        modality="sequence",
        summary="meter readings from a CSV (one row per meter-day), windows of N days",
    )


@hookimpl
def robustkit_register_models(register):
    register.model(
        "meter-cnn",
        "robustkit_smart_meter.model:MeterCNNBuilder",
        params=MeterCNNParams,
        tasks=["classification", "anomaly-detection"],
        modalities=["sequence"],
        summary="1-D CNN over days, a day's readings as channels, global pooling",
    )
