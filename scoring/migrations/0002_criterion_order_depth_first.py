"""Renumber the nodes of trees loaded before nodes were numbered depth first (their file order): siblings
kept their file order, so walking each parent's children by the old number gives the file order."""

from django.db import migrations


def renumber(apps, schema_editor):
    Criterion = apps.get_model("scoring", "Criterion")
    for tree_id in Criterion.objects.values_list("tree_id", flat=True).distinct():
        nodes = list(Criterion.objects.filter(tree_id=tree_id).order_by("order", "pk"))
        children = {}
        for node in nodes:
            children.setdefault(node.parent_id, []).append(node)
        stack, position = list(reversed(children.get(None, []))), 0
        while stack:
            node = stack.pop()
            position += 1
            node.order = position
            stack.extend(reversed(children.get(node.pk, [])))
        Criterion.objects.bulk_update(nodes, ["order"])


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [migrations.RunPython(renumber, migrations.RunPython.noop)]
