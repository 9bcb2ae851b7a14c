from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import parsers, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .serializers import MeSerializer
from .tokens import TokenAuthentication, token_issue, token_revoke


class TokenView(APIView):
    """POST username and password, get a token (400 with field errors when they are wrong).

    Open to anyone: a stale ``Authorization`` header must not stop a client from getting a
    new token, so no authentication runs here. Repeated failures lock the username for the
    caller's IP (429, see ``security.login``).
    """

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    parser_classes = [parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser]

    @extend_schema(
        auth=[],
        request=AuthTokenSerializer,
        responses={
            200: OpenApiResponse(
                inline_serializer(
                    "TokenAnswer",
                    {
                        "token": serializers.CharField(),
                        "expiry": serializers.DateTimeField(
                            help_text="When the token expires unless it is used before (each use moves it on)."
                        ),
                    },
                ),
                description="The token.",
            ),
            429: OpenApiResponse(
                inline_serializer("Error", {"detail": serializers.CharField()}),
                description="Too many failed attempts: locked for a while.",
            ),
        },
    )
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request, "view": self})
        serializer.is_valid(raise_exception=True)
        token = token_issue(user=serializer.validated_data["user"])
        return Response({"token": token.key, "expiry": token.expiry})


class TokenRevokeView(APIView):
    """POST with the token to revoke it (204); other tokens of the user keep working."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="The token no longer works.")})
    def post(self, request):
        token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
