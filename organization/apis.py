from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from .serializers import MeSerializer


class TokenView(ObtainAuthToken):
    """POST username and password, get a token (400 with field errors when they are wrong).

    Open to anyone: a stale ``Authorization`` header must not stop a client from getting a
    new token, so no authentication runs here. Repeated failures lock the username for the
    caller's IP (429, see ``security.login``).
    """

    authentication_classes: list = []

    @extend_schema(
        auth=[],
        request=AuthTokenSerializer,
        responses={
            200: OpenApiResponse(
                inline_serializer("AuthToken", {"token": serializers.CharField()}), description="The token."
            ),
            429: OpenApiResponse(
                inline_serializer("Error", {"detail": serializers.CharField()}),
                description="Too many failed attempts: locked for a while.",
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
