"""Read-side queries for classes, scoped to what the acting user may see."""

from __future__ import annotations

from functools import cache

from flask import abort
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import selectinload

from orientamento.auth.models import User
from orientamento.classes.models import ClassMembership, SchoolClass
from orientamento.extensions import db


def classes_of_school(school_id: int) -> Select[SchoolClass, int]:
    """The classes of a school, newest school year first, with roster sizes."""
    return (
        select(SchoolClass, func.count(ClassMembership.student_id).label("pupils"))
        .outerjoin(ClassMembership)
        .where(SchoolClass.school_id == school_id)
        .group_by(SchoolClass.id)
        .order_by(SchoolClass.school_year.desc(), SchoolClass.name)
    )


def class_for_counsellor_or_404(counsellor: User, class_id: int) -> SchoolClass:
    """A class of the counsellor's own school; 404 for any other."""
    if counsellor.school_id is None:
        abort(404)
    school_class = db.session.scalar(_counsellors_class(), {"class_id": class_id,
                                                            "school_id": counsellor.school_id})
    if school_class is None:
        abort(404)
    return school_class


@cache
def _counsellors_class() -> Select[SchoolClass]:
    """The class ``class_id`` of school ``school_id`` (bound), with its roster and pupils in
    one more statement. Built once, on first use: every class page asks for it."""
    return (select(SchoolClass)
            .where(SchoolClass.id == bindparam("class_id"),
                   SchoolClass.school_id == bindparam("school_id"))
            .options(selectinload(SchoolClass.memberships).joinedload(ClassMembership.student)))


def pupil_in_class_or_404(school_class: SchoolClass, student_id: int) -> User:
    """A pupil on this class's roster; 404 otherwise."""
    for membership in school_class.memberships:
        if membership.student_id == student_id:
            return membership.student
    abort(404)


def classes_of_student(student: User) -> list[SchoolClass]:
    """The classes a student belongs to."""
    return list(
        db.session.scalars(
            select(SchoolClass)
            .join(ClassMembership)
            .where(ClassMembership.student_id == student.id)
            .options(selectinload(SchoolClass.school))
            .order_by(SchoolClass.school_year.desc())
        )
    )
