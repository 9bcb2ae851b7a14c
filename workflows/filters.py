"""Strict query filtering for the API: a filter value the schema does not allow is a 400.

django-filter silently ignores an empty value (``?state=``) and parses integer fields as
decimals (``?year=0.5``); a client that sends either has a bug it should hear about, and the
OpenAPI schema promises an enum and an integer.
"""

from django import forms
from django.db import models
from django_filters import BooleanFilter, NumberFilter
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from rest_framework.exceptions import ValidationError

BOOLEAN_VALUES = {"true", "false", "1", "0"}


class IntegerFilter(NumberFilter):
    field_class = forms.IntegerField


class StrictFilterSet(FilterSet):
    FILTER_DEFAULTS = {
        **FilterSet.FILTER_DEFAULTS,
        **{
            field: {"filter_class": IntegerFilter}
            for field in (
                models.IntegerField,
                models.SmallIntegerField,
                models.BigIntegerField,
                models.PositiveIntegerField,
                models.PositiveSmallIntegerField,
                models.PositiveBigIntegerField,
                models.AutoField,
                models.BigAutoField,
            )
        },
    }


class StrictFilterBackend(DjangoFilterBackend):
    filterset_base = StrictFilterSet

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            empty = {
                name: ["This filter needs a value; leave the parameter out to not filter."]
                for name in filterset.filters
                if name in request.query_params and request.query_params.get(name, "").strip() == ""
            }
            not_boolean = {
                name: ["Use true or false."]
                for name, filter_ in filterset.filters.items()
                if isinstance(filter_, BooleanFilter)
                and name in request.query_params
                and any(v.lower() not in BOOLEAN_VALUES for v in request.query_params.getlist(name))
            }
            if empty or not_boolean:
                raise ValidationError({**not_boolean, **empty})
        return filterset
