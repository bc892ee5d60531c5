from rest_framework import serializers

from apps.workdays.models import CalendarDay


class CalendarDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "name"]


class DeadlineQuerySerializer(serializers.Serializer):
    start = serializers.DateField()
    working_days = serializers.IntegerField(min_value=1, max_value=366)


class DeadlineSerializer(serializers.Serializer):
    start = serializers.DateField()
    working_days = serializers.IntegerField()
    due = serializers.DateField()
    provisional = serializers.BooleanField()
