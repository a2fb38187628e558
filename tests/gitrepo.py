"""Real git repositories for the tests: a small estate committed in tmp_path, commits."""

from __future__ import annotations

from pathlib import Path

import git

from tests.helpers import make_mini_estate, write

# a third school: apple, no Wi-Fi, so a Wi-Fi change must not reach it
GYM_C_SCHOOL = """\
# yaml-language-server: $schema=../../schemas/school.schema.json
id: gym-c
name: Gymnasium C
type: gymnasium
platform: apple
maintainers: ["@example-org/gym-c"]
profiles:
  restrictions:
    allow_camera: false
apps:
  - pages
  - numbers
"""

GYM_C_DEVICES = """\
serial,mac,asset_tag,model
DMPC00000001,02:4c:00:00:00:01,GC-0001,iPad (10th generation)
DMPC00000002,02:4c:00:00:00:02,GC-0002,iPad (10th generation)
"""


def commit(repo: Path, message: str) -> str:
    """Commit everything in the working tree; the new commit's id."""
    r = git.Repo(repo)
    r.git.add("-A")
    r.git.commit("-q", "-m", message, "--allow-empty")
    sha = r.head.commit.hexsha
    r.close()
    return str(sha)


def init_repo(root: Path) -> None:
    r = git.Repo.init(root, initial_branch="main")
    with r.config_writer() as cfg:
        cfg.set_value("user", "name", "Test")
        cfg.set_value("user", "email", "test@example.org")
    r.close()


def make_estate_repo(tmp_path: Path) -> Path:
    """Three schools (gym-a apple, bbz-b windows, gym-c apple), committed and tagged `base`."""
    root = make_mini_estate(tmp_path / "repo")
    write(root, "schools/gym-c/school.yaml", GYM_C_SCHOOL)
    write(root, "schools/gym-c/devices.csv", GYM_C_DEVICES)
    init_repo(root)
    commit(root, "base")
    git.Repo(root).git.tag("base")
    return root
