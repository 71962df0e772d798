"""The API's step views: one POST per step of a flow on one object (a submission, a data-change request).

Kept apart from core.api_input, which the REST framework settings import before its views exist."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView


class StepView(APIView):
    """One step of a flow on one object (submit, verify, check, confirm…), named by the URL:
    `as_view(step="check")`. A subclass says which object the caller may move (`get_object`, a 404 out of
    scope), what each step accepts (`inputs`) and what it does (`perform`, returning the response body)."""

    step = ""
    inputs: dict[str, type[serializers.Serializer]] = {}

    def get_object(self, request, pk):
        raise NotImplementedError

    def perform(self, request, obj, **values) -> dict:
        raise NotImplementedError

    def post(self, request, pk):
        obj = self.get_object(request, pk)
        data = self.inputs[self.step](data=request.data)
        data.is_valid(raise_exception=True)
        return Response(self.perform(request, obj, **data.validated_data))
