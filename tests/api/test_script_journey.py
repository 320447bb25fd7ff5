"""The issue's "done when": a script that knows only the OpenAPI document lists the demo round's needs, posts a
comment with a token, and downloads the round's open-data ZIP."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from consult.api.cli import tokens as tokens_command
from consult.seed import load_demo


class Script:
    """Finds every address in the document by operationId, as a generated client would."""

    def __init__(self, client, token: str | None = None) -> None:
        self.client = client
        self.token = token
        self.doc = client.get("/api/v1/openapi.json").get_json()
        self.operations = {op["operationId"]: (path, method) for path, ops in self.doc["paths"].items()
                           for method, op in ops.items()}

    def call(self, operation_id: str, params: dict | None = None, json: dict | None = None, **path_values):
        path, method = self.operations[operation_id]
        url = re.sub(r"\{(\w+)\}", lambda m: str(path_values[m.group(1)]), path)
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return self.client.open(url, method=method.upper(), query_string=params, json=json, headers=headers)

    def every(self, operation_id: str, params: dict | None = None, **path_values) -> list[dict]:
        """All items of a list, following the cursors."""
        found, cursor = [], None
        while True:
            page = self.call(operation_id, {**(params or {}), **({"cursor": cursor} if cursor else {})},
                             **path_values).get_json()
            found += page["items"]
            cursor = page["next"]
            if cursor is None:
                return found


def test_a_script_reads_the_demo_round_comments_and_downloads_its_open_data(app, client):
    load_demo()
    reader = Script(client)
    open_rounds = reader.every("listRounds", {"state": "open"})
    assert open_rounds, "the demo has an open round"
    demo_round = open_rounds[0]
    needs = reader.every("listRoundItems", {"kind": "need", "limit": 2}, round_id=demo_round["id"])
    assert needs and all(n["kind"] == "need" for n in needs)

    printed = app.test_cli_runner().invoke(tokens_command, ["create", "citoyen@demo.consult.ca",
                                                            "--scope", "participate", "--name", "script"])
    assert printed.exit_code == 0, printed.output
    writer = Script(client, printed.stdout.strip())
    need = needs[0]
    posted = writer.call("postComment", json={"body": "Commentaire envoyé par un script."},
                         round_id=demo_round["id"], version_id=need["version_id"], uid=need["uid"])
    assert posted.status_code == 201, posted.text

    archive = reader.call("getRoundOpenData", round_id=demo_round["id"])
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    comments = zipfile.ZipFile(io.BytesIO(archive.data)).read("comments.csv").decode("utf-8-sig")
    bodies = [row["body"] for row in csv.DictReader(io.StringIO(comments))]
    assert "Commentaire envoyé par un script." in bodies
