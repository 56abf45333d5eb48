"""Data sets: generate, import, upload, list, show, download, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, UploadFile, status
from fastapi.responses import StreamingResponse

from pfd_gateway.api.dataset_models import (
    DatasetGenerateCreate,
    DatasetImportCreate,
    DatasetPublic,
    InspectionPublic,
    UploadPublic,
)
from pfd_gateway.api.deps import API_PREFIX, CurrentPrincipal, GatewayDep, RequireWrite
from pfd_gateway.datasets.service import DatasetCatalog

router = APIRouter(prefix=API_PREFIX, tags=["datasets"])


def get_catalog(gateway: GatewayDep) -> DatasetCatalog:
    return gateway.datasets


CatalogDep = Annotated[DatasetCatalog, Depends(get_catalog)]


@router.post("/datasets", status_code=status.HTTP_201_CREATED)
async def generate_dataset(body: DatasetGenerateCreate, principal: RequireWrite, catalog: CatalogDep) -> DatasetPublic:
    """Request a synthetic data set; an identical earlier request is served from the cache."""
    row = await catalog.request_generation(principal, body.name, body.preset, body.config, body.seed,
                                           body.robustness_snr_db)
    return DatasetPublic.model_validate(row)


@router.post("/datasets/imports", status_code=status.HTTP_201_CREATED)
async def import_dataset(body: DatasetImportCreate, principal: RequireWrite, catalog: CatalogDep) -> DatasetPublic:
    """Import uploaded recordings: per file the variable, label and sample rate."""
    row = await catalog.request_import(principal, body.name, list(body.files), **body.options())
    return DatasetPublic.model_validate(row)


@router.post("/uploads", status_code=status.HTTP_201_CREATED)
async def upload_file(file: UploadFile, principal: RequireWrite, catalog: CatalogDep) -> UploadPublic:
    """Store one recording (.mat, .csv, .npy, .npz) for a later import; answers with its variables (name, shape,
    length, dtype) and the sample rate / shaft speed detected in it, read from the file's headers."""
    info, inspection = await catalog.upload(principal, file.filename or "upload", file.file)
    return UploadPublic(object_key=info.key, file_name=file.filename or "upload", size_bytes=info.size,
                        sha256=info.sha256, inspection=InspectionPublic.model_validate(inspection.to_json()))


@router.get("/datasets")
async def list_datasets(principal: CurrentPrincipal, catalog: CatalogDep) -> list[DatasetPublic]:
    return [DatasetPublic.model_validate(row) for row in await catalog.list(principal)]


@router.get("/datasets/{dataset_id}")
async def show_dataset(dataset_id: str, principal: CurrentPrincipal, catalog: CatalogDep) -> DatasetPublic:
    return DatasetPublic.model_validate(await catalog.get(principal, dataset_id))


@router.get("/datasets/{dataset_id}/download")
async def download_dataset(dataset_id: str, principal: CurrentPrincipal, catalog: CatalogDep) -> StreamingResponse:
    """The data set's HDF5 file (signals are Blosc2-compressed: read with h5py after ``import hdf5plugin``)."""
    name, chunks = await catalog.download(principal, dataset_id)
    return StreamingResponse(chunks, media_type="application/x-hdf5",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.delete("/datasets/{dataset_id}", status_code=status.HTTP_202_ACCEPTED)
async def delete_dataset(dataset_id: str, principal: RequireWrite, catalog: CatalogDep) -> dict[str, str]:
    await catalog.delete(principal, dataset_id)
    return {"status": "deleting"}
