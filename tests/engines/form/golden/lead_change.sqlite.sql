DROP INDEX ix_crm_lead_old_score;

ALTER TABLE crm_lead RENAME COLUMN note TO _archived_note_1;

ALTER TABLE crm_lead RENAME COLUMN phone TO mobile;

CREATE TABLE crm_contact (
    id INTEGER NOT NULL, 
    name VARCHAR(255), 
    created_at DATETIME NOT NULL, 
    created_by BIGINT, 
    updated_at DATETIME NOT NULL, 
    updated_by BIGINT, 
    owner_id BIGINT, 
    version INTEGER DEFAULT '1' NOT NULL, 
    deleted_at DATETIME, 
    PRIMARY KEY (id)
);

ALTER TABLE crm_lead ADD COLUMN account_id INTEGER REFERENCES crm_account (id) ON DELETE SET NULL;

ALTER TABLE crm_lead ADD COLUMN email VARCHAR(320);

ALTER TABLE crm_lead ADD COLUMN _jimu_new_old_score DOUBLE;

-- copy 0 converted values into _jimu_new_old_score;

ALTER TABLE crm_lead DROP COLUMN old_score;

ALTER TABLE crm_lead RENAME COLUMN _jimu_new_old_score TO old_score;

CREATE INDEX ix_crm_lead_account_id ON crm_lead (account_id);

CREATE INDEX ix_crm_lead_name_owner_id ON crm_lead (name, owner_id);

CREATE INDEX ix_crm_lead_old_score ON crm_lead (old_score);

CREATE UNIQUE INDEX uq_crm_lead_email ON crm_lead (email);

CREATE INDEX ix_crm_contact_owner_deleted ON crm_contact (owner_id, id) WHERE deleted_at IS NOT NULL;

CREATE INDEX ix_crm_contact_owner_live ON crm_contact (owner_id, id, deleted_at) WHERE deleted_at IS NULL;
