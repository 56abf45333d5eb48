"""Signal Viewer exports: one record of a data set as .npy (float32) or .csv (time_s, amplitude)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from pfd_gateway.api.deps import API_PREFIX, CurrentPrincipal, GatewayDep
from pfd_gateway.signals.service import ExportFormat, SignalViewer

router = APIRouter(prefix=API_PREFIX, tags=["signals"])


def get_viewer(gateway: GatewayDep) -> SignalViewer:
    return gateway.signals


ViewerDep = Annotated[SignalViewer, Depends(get_viewer)]


@router.get("/datasets/{dataset_id}/records/{index:int}.{fmt}", response_class=Response)
async def export_record(dataset_id: str, index: int, fmt: ExportFormat, principal: CurrentPrincipal,
                        viewer: ViewerDep) -> Response:
    """Download one record (read by ranged GETs, never the whole data set); 404 for data sets you cannot see."""
    exported = await viewer.export(principal, dataset_id, index, fmt)
    return Response(exported.content, media_type=exported.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{exported.file_name}"'})
