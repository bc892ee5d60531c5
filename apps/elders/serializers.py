from rest_framework import serializers

from apps.elders.models import Elder


class ElderSerializer(serializers.ModelSerializer):
    """Elders as the API shows them: the identity number masked."""

    class Meta:
        model = Elder
        fields = ["id", "name", "document_type", "id_number_masked", "birth_date", "sex",
                  "hukou_street", "residence_street", "community"]
