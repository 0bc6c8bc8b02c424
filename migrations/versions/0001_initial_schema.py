"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('key_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('admin', 'analyst', 'unit')", name=op.f('ck_api_key_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_key_prefix'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('entity_key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('html', sa.Text(), nullable=True),
    sa.Column('csv', sa.Text(), nullable=True),
    sa.Column('xlsx', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name=op.f('ck_report_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report')),
    sa.UniqueConstraint('month', 'version', name=op.f('uq_report_month_version'))
    )
    op.create_table('sector',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name_vi', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_sector'))
    )
    op.create_table('survey_form',
    sa.Column('form_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('definition_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('published_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('form_id', 'version', name=op.f('pk_survey_form'))
    )
    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.CheckConstraint("level IN ('city', 'department', 'ward', 'commune', 'special_zone', 'central_agency')", name=op.f('ck_unit_level')),
    sa.ForeignKeyConstraint(['parent_id'], ['unit.id'], name=op.f('fk_unit_parent_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('code', name=op.f('uq_unit_code'))
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_parent_id'), ['parent_id'], unique=False)

    op.create_table('api_key_unit',
    sa.Column('api_key_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_key.id'], name=op.f('fk_api_key_unit_api_key_id_api_key')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_api_key_unit_unit_id_unit')),
    sa.PrimaryKeyConstraint('api_key_id', 'unit_id', name=op.f('pk_api_key_unit'))
    )
    op.create_table('counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('sector_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sector_code'], ['sector.code'], name=op.f('fk_counter_sector_code_sector')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_counter_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter')),
    sa.UniqueConstraint('slug', name=op.f('uq_counter_slug')),
    sa.UniqueConstraint('unit_id', 'code', name=op.f('uq_counter_unit_id_code'))
    )
    with op.batch_alter_table('counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_unit_id'), ['unit_id'], unique=False)

    op.create_table('procedure',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('sector_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('unit_level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.CheckConstraint("unit_level IN ('city', 'department', 'ward', 'commune', 'special_zone', 'central_agency')", name=op.f('ck_procedure_unit_level')),
    sa.ForeignKeyConstraint(['sector_code'], ['sector.code'], name=op.f('fk_procedure_sector_code_sector')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_procedure'))
    )
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_sector_code'), ['sector_code'], unique=False)

    op.create_table('target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('sector_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('valid_from_year', sa.Integer(), nullable=False),
    sa.Column('valid_to_year', sa.Integer(), nullable=False),
    sa.CheckConstraint("(indicator = 'sector') = (sector_code IS NOT NULL)", name=op.f('ck_target_sector_scope')),
    sa.CheckConstraint('threshold > 0 AND threshold <= 1', name=op.f('ck_target_threshold_fraction')),
    sa.CheckConstraint('valid_from_year <= valid_to_year', name=op.f('ck_target_years_ordered')),
    sa.ForeignKeyConstraint(['sector_code'], ['sector.code'], name=op.f('fk_target_sector_code_sector')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target')),
    sa.UniqueConstraint('indicator', 'sector_code', 'valid_from_year', name=op.f('uq_target_indicator_sector_code_valid_from_year'))
    )
    op.create_table('volume',
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('sector_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('dossiers', sa.Integer(), nullable=False),
    sa.CheckConstraint('dossiers >= 0', name=op.f('ck_volume_dossiers_non_negative')),
    sa.ForeignKeyConstraint(['sector_code'], ['sector.code'], name=op.f('fk_volume_sector_code_sector')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_volume_unit_id_unit')),
    sa.PrimaryKeyConstraint('month', 'unit_id', 'sector_code', name=op.f('pk_volume'))
    )
    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('dossier_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('sector_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('procedure_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['procedure_code'], ['procedure.code'], name=op.f('fk_invitation_procedure_code_procedure')),
    sa.ForeignKeyConstraint(['sector_code'], ['sector.code'], name=op.f('fk_invitation_sector_code_sector')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_invitation_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('dossier_hash', name=op.f('uq_invitation_dossier_hash')),
    sa.UniqueConstraint('slug', name=op.f('uq_invitation_slug'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_unit_id'), ['unit_id'], unique=False)

    op.create_table('response',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('submitted_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('started_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('sector_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('procedure_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('form_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('answer_codes', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('flag_repeat_device', sa.Boolean(), nullable=False),
    sa.Column('flag_too_fast', sa.Boolean(), nullable=False),
    sa.Column('flag_straight_line', sa.Boolean(), nullable=False),
    sa.Column('excluded', sa.Boolean(), nullable=False),
    sa.Column('content_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('counter', 'online', 'paper')", name=op.f('ck_response_channel')),
    sa.CheckConstraint("language IN ('vi', 'en')", name=op.f('ck_response_language')),
    sa.CheckConstraint("trim(answer_codes, '.0123456789abcdefghijklmnopqrstuvwxyz') = ''", name=op.f('ck_response_answer_codes_alphabet')),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_response_counter_id_counter')),
    sa.ForeignKeyConstraint(['form_id', 'form_version'], ['survey_form.form_id', 'survey_form.version'], name=op.f('fk_response_form_id_form_version_survey_form')),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'], name=op.f('fk_response_invitation_id_invitation')),
    sa.ForeignKeyConstraint(['procedure_code'], ['procedure.code'], name=op.f('fk_response_procedure_code_procedure')),
    sa.ForeignKeyConstraint(['sector_code'], ['sector.code'], name=op.f('fk_response_sector_code_sector')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_response_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_response_invitation_id'))
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.create_index('ix_response_local_date', ['local_date'], unique=False)

    op.create_table('choice_answer',
    sa.Column('response_id', sa.Uuid(), nullable=False),
    sa.Column('question_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('code', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('code >= 1 AND code <= 99', name=op.f('ck_choice_answer_code_range')),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_choice_answer_response_id_response')),
    sa.PrimaryKeyConstraint('response_id', 'question_id', 'code', name=op.f('pk_choice_answer'))
    )
    op.create_table('text_answer',
    sa.Column('response_id', sa.Uuid(), nullable=False),
    sa.Column('question_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_text_answer_response_id_response')),
    sa.PrimaryKeyConstraint('response_id', 'question_id', name=op.f('pk_text_answer'))
    )


def downgrade() -> None:
    op.drop_table('text_answer')
    op.drop_table('choice_answer')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index('ix_response_local_date')

    op.drop_table('response')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_unit_id'))

    op.drop_table('invitation')
    op.drop_table('volume')
    op.drop_table('target')
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_sector_code'))

    op.drop_table('procedure')
    with op.batch_alter_table('counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counter_unit_id'))

    op.drop_table('counter')
    op.drop_table('api_key_unit')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_parent_id'))

    op.drop_table('unit')
    op.drop_table('survey_form')
    op.drop_table('sector')
    op.drop_table('report')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
    op.drop_table('api_key')
