-- NB67 reports: official alert-code and part-code tables (seed data).
-- Transcribed from the legacy specification (legacy-nb67.md §6.1 alertcode.xlsx, §7.1 partcode.xlsx).
-- Idempotent: safe to apply again (tables are re-seeded from this file).
--
-- report_alert_source: one row per SOURCE column (26 prediction flags of *_predict, 78 fault bits of
-- *_macda in frame order). event_key groups sources into one episode per device: the official code
-- template (HVAC1xx) when the source has one, else the source name itself (recorded, never pushed).
-- Fix of legacy bug 22: the damper fault codes HVAC137/138/157/158 come from the real damper fault
-- bits (bflt_fad_u11/u12 → HVAC137, bflt_rad_u11/u12 → HVAC138, bflt_fad_u21/u22 → HVAC157,
-- bflt_rad_u21/u22 → HVAC158), not from the analogue damper positions fadpos_*/radpos_*.
-- Fix of legacy bug 23: bflt_expboard_u2 → HVAC160 in both modes.
-- 25 fault bits have no official code (legacy never reported them, bug 24): their code is NULL.

CREATE TABLE IF NOT EXISTS report_alert_source (
  source      text PRIMARY KEY,              -- column name in *_predict / *_macda
  kind        text NOT NULL CHECK (kind IN ('predict', 'fault')),
  ord         int  NOT NULL,                 -- predict: rule # (1..26); fault: frame order (1..78)
  event_key   text NOT NULL,                 -- episode identity per device
  xlsx_name   text NOT NULL,                 -- alertcode.xlsx lookup key (lower-cased name)
  code        text,                          -- official template HVAC1xx (NULL: not pushed)
  location    text,
  fault_name  text,
  level       int,
  xlsx_row    int                            -- row # in the spec table (1..75)
);

CREATE TABLE IF NOT EXISTS report_part_code (
  ord         int  PRIMARY KEY,              -- xlsx order
  xlsx_name   text NOT NULL,
  lookup_key  text NOT NULL,
  part_code   text NOT NULL,                 -- template 50xxx; sent as 5<carriage>xxx
  part_name   text NOT NULL,
  part_metrix text NOT NULL CHECK (part_metrix IN ('serviceTime', 'serviceValue')),
  source      text NOT NULL,                 -- *_macda counter column
  source_unit text NOT NULL CHECK (source_unit IN ('seconds', 'count'))
);

-- Coach names by carriage number (legacy COACH dict).
CREATE TABLE IF NOT EXISTS report_coach (
  carriage int PRIMARY KEY,
  coach    text NOT NULL
);

BEGIN;
DELETE FROM report_alert_source;
INSERT INTO report_alert_source
  (source, kind, ord, event_key, xlsx_name, code, location, fault_name, level, xlsx_row) VALUES
  ('ref_leak_u11', 'predict', 1, 'HVAC101', 'ref_leak_u11', 'HVAC101', '空调机组1制冷系统1', '机组1系统1冷媒泄漏预警', 0, 1),
  ('ref_leak_u12', 'predict', 2, 'HVAC102', 'ref_leak_u12', 'HVAC102', '空调机组1制冷系统2', '机组1系统2冷媒泄漏预警', 0, 2),
  ('ref_leak_u21', 'predict', 3, 'HVAC103', 'ref_leak_u21', 'HVAC103', '空调机组2制冷系统1', '机组2系统1冷媒泄漏预警', 0, 3),
  ('ref_leak_u22', 'predict', 4, 'HVAC104', 'ref_leak_u22', 'HVAC104', '空调机组2制冷系统2', '机组2系统2冷媒泄漏预警', 0, 4),
  ('f_cp_u1', 'predict', 5, 'HVAC105', 'f_cp_u1', 'HVAC105', '空调机组1', '机组1制冷系统预警', 0, 5),
  ('f_cp_u2', 'predict', 6, 'HVAC106', 'f_cp_u2', 'HVAC106', '空调机组2', '机组2制冷系统预警', 0, 6),
  ('f_fas', 'predict', 7, 'HVAC107', 'f_fas', 'HVAC107', '空调机组1&2新风温度传感器', '新风温度传感器预警', 0, 7),
  ('f_ras', 'predict', 8, 'HVAC108', 'f_ras', 'HVAC108', '空调机组1&2回风温度传感器', '回风温度传感器预警', 0, 8),
  ('cabin_overtemp', 'predict', 9, 'HVAC109', 'cabin_overtemp', 'HVAC109', '空调系统', '车厢温度超温预警', 0, 9),
  ('f_presdiff_u1', 'predict', 10, 'HVAC110', 'f_presdiff_u1', 'HVAC110', '空调机组1滤网压差传感器', '机组1滤网脏堵预警', 0, 10),
  ('f_presdiff_u2', 'predict', 11, 'HVAC111', 'f_presdiff_u2', 'HVAC111', '空调机组2滤网压差传感器', '机组2滤网脏堵预警', 0, 11),
  ('f_ef_u11', 'predict', 12, 'HVAC112', 'f_ef_u11', 'HVAC112', '空调机组1通风机1', '机组1通风机1电流预警', 0, 12),
  ('f_ef_u12', 'predict', 13, 'HVAC113', 'f_ef_u12', 'HVAC113', '空调机组1通风机2', '机组1通风机2电流预警', 0, 13),
  ('f_ef_u21', 'predict', 14, 'HVAC114', 'f_ef_u21', 'HVAC114', '空调机组2通风机1', '机组2通风机1电流预警', 0, 14),
  ('f_ef_u22', 'predict', 15, 'HVAC115', 'f_ef_u22', 'HVAC115', '空调机组2通风机2', '机组2通风机2电流预警', 0, 15),
  ('f_cf_u11', 'predict', 16, 'HVAC116', 'f_cf_u11', 'HVAC116', '空调机组1冷凝风机1', '机组1冷凝风机1电流预警', 0, 16),
  ('f_cf_u12', 'predict', 17, 'HVAC117', 'f_cf_u12', 'HVAC117', '空调机组1冷凝风机2', '机组1冷凝风机2电流预警', 0, 17),
  ('f_cf_u21', 'predict', 18, 'HVAC118', 'f_cf_u21', 'HVAC118', '空调机组2冷凝风机1', '机组2冷凝风机1电流预警', 0, 18),
  ('f_cf_u22', 'predict', 19, 'HVAC119', 'f_cf_u22', 'HVAC119', '空调机组2冷凝风机2', '机组2冷凝风机2电流预警', 0, 19),
  ('f_exufan', 'predict', 20, 'HVAC120', 'f_exufan', 'HVAC120', '废排单元废排风机', '废排风机电流预警', 0, 20),
  ('f_fas_u11', 'predict', 21, 'HVAC121', 'f_fas_u11', 'HVAC121', '空调机组1压缩机1', '机组1压缩机1电流预警', 0, 21),
  ('f_fas_u12', 'predict', 22, 'HVAC122', 'f_fas_u12', 'HVAC122', '空调机组1压缩机2', '机组1压缩机2电流预警', 0, 22),
  ('f_fas_u21', 'predict', 23, 'HVAC123', 'f_fas_u21', 'HVAC123', '空调机组2压缩机1', '机组2压缩机1电流预警', 0, 23),
  ('f_fas_u22', 'predict', 24, 'HVAC124', 'f_fas_u22', 'HVAC124', '空调机组2压缩机2', '机组2压缩机2电流预警', 0, 24),
  ('f_aq_u1', 'predict', 25, 'HVAC125', 'f_aq_u1', 'HVAC125', '空调机组1空气质量监测终端', '机组1空气质量预警', 0, 25),
  ('f_aq_u2', 'predict', 26, 'HVAC126', 'f_aq_u2', 'HVAC126', '空调机组2空气质量监测终端', '机组2空气质量预警', 0, 26),
  ('bocflt_ef_u11', 'fault', 1, 'HVAC127', 'bocflt_ef_u11', 'HVAC127', '通风机1-1过流', '通风机1-1过流故障', 1, 27),
  ('bocflt_ef_u12', 'fault', 2, 'HVAC128', 'bocflt_ef_u12', 'HVAC128', '通风机1-2过流', '通风机1-2过流故障', 1, 28),
  ('bocflt_cf_u11', 'fault', 3, 'HVAC129', 'bocflt_cf_u11', 'HVAC129', '冷凝风机1-1过流', '冷凝风机1-1过流故障', 2, 29),
  ('bocflt_cf_u12', 'fault', 4, 'HVAC130', 'bocflt_cf_u12', 'HVAC130', '冷凝风机1-2过流', '冷凝风机1-2过流故障', 2, 30),
  ('bflt_vfd_u11', 'fault', 5, 'HVAC131', 'bflt_vfd_u11', 'HVAC131', '变频器1-1', '变频器1-1故障', 2, 31),
  ('blpflt_comp_u11', 'fault', 9, 'HVAC132', 'blpflt_comp_u11', 'HVAC132', '压缩机1-1低压', '压缩机1-1低压故障', 2, 32),
  ('bscflt_comp_u11', 'fault', 10, 'HVAC133', 'bscflt_comp_u11', 'HVAC133', '压缩机1-1高压连锁', '压缩机1-1高压连锁故障', 2, 33),
  ('bflt_vfd_u12', 'fault', 7, 'HVAC134', 'bflt_vfd_u12', 'HVAC134', '变频器1-2', '变频器1-2故障', 2, 34),
  ('blpflt_comp_u12', 'fault', 12, 'HVAC135', 'blpflt_comp_u12', 'HVAC135', '压缩机1-2低压', '压缩机1-2低压故障', 2, 35),
  ('bscflt_comp_u12', 'fault', 13, 'HVAC136', 'bscflt_comp_u12', 'HVAC136', '压缩机1-2高压连锁', '压缩机1-2高压连锁故障', 2, 36),
  ('bflt_fad_u11', 'fault', 15, 'HVAC137', 'bflt_fad_u1', 'HVAC137', '新风阀U1', '新风阀U1故障', 3, 37),
  ('bflt_fad_u12', 'fault', 16, 'HVAC137', 'bflt_fad_u1', 'HVAC137', '新风阀U1', '新风阀U1故障', 3, 37),
  ('bflt_rad_u11', 'fault', 17, 'HVAC138', 'bflt_rad_u1', 'HVAC138', '回风阀U1', '回风阀U1故障', 3, 38),
  ('bflt_rad_u12', 'fault', 18, 'HVAC138', 'bflt_rad_u1', 'HVAC138', '回风阀U1', '回风阀U1故障', 3, 38),
  ('bflt_ap_u11', 'fault', 19, 'HVAC139', 'bflt_airclean_u1', 'HVAC139', '空气净化U1', '空气净化U1故障', 3, 39),
  ('bflt_expboard_u1', 'fault', 20, 'HVAC140', 'bflt_expboard_u1', 'HVAC140', '扩展模块U1', '扩展模块U1故障', 2, 40),
  ('bflt_frstemp_u1', 'fault', 21, 'HVAC141', 'bflt_frstemp_u1', 'HVAC141', '新风温度传感器U1', '新风温度传感器U1故障', 3, 41),
  ('bflt_splytemp_u11', 'fault', 23, 'HVAC142', 'bflt_splytemp_u11', 'HVAC142', '送风温度传感器1-1', '送风温度传感器1-1故障', 3, 42),
  ('bflt_splytemp_u12', 'fault', 24, 'HVAC143', 'bflt_splytemp_u12', 'HVAC143', '送风温度传感器1-2', '送风温度传感器1-2故障', 3, 43),
  ('bflt_rnttemp_u1', 'fault', 22, 'HVAC144', 'bflt_rnttemp_u1', 'HVAC144', '回风温度传感器U1', '回风温度传感器U1故障', 3, 44),
  ('bflt_coiltemp_u11', 'fault', 25, 'HVAC145', 'bflt_dfstemp_u11', 'HVAC145', '融霜温度传感器1-1', '融霜温度传感器1-1故障', 3, 45),
  ('bflt_coiltemp_u12', 'fault', 26, 'HVAC146', 'bflt_dfstemp_u12', 'HVAC146', '融霜温度传感器1-2', '融霜温度传感器1-2故障', 3, 46),
  ('bocflt_ef_u21', 'fault', 34, 'HVAC147', 'bocflt_ef_u21', 'HVAC147', '通风机2-1过流', '通风机2-1过流故障', 1, 47),
  ('bocflt_ef_u22', 'fault', 35, 'HVAC148', 'bocflt_ef_u22', 'HVAC148', '通风机2-2过流', '通风机2-2过流故障', 1, 48),
  ('bocflt_cf_u21', 'fault', 36, 'HVAC149', 'bocflt_cf_u21', 'HVAC149', '冷凝风机2-1过流', '冷凝风机2-1过流故障', 2, 49),
  ('bocflt_cf_u22', 'fault', 37, 'HVAC150', 'bocflt_cf_u22', 'HVAC150', '冷凝风机2-2过流', '冷凝风机2-2过流故障', 2, 50),
  ('bflt_vfd_u21', 'fault', 38, 'HVAC151', 'bflt_vfd_u21', 'HVAC151', '变频器2-1', '变频器2-1故障', 2, 51),
  ('blpflt_comp_u21', 'fault', 42, 'HVAC152', 'blpflt_comp_u21', 'HVAC152', '压缩机2-1低压', '压缩机2-1低压故障', 2, 52),
  ('bscflt_comp_u21', 'fault', 43, 'HVAC153', 'bscflt_comp_u21', 'HVAC153', '压缩机2-1高压连锁', '压缩机2-1高压连锁故障', 2, 53),
  ('bflt_vfd_u22', 'fault', 40, 'HVAC154', 'bflt_vfd_u22', 'HVAC154', '变频器2-2', '变频器2-2故障', 2, 54),
  ('blpflt_comp_u22', 'fault', 45, 'HVAC155', 'blpflt_comp_u22', 'HVAC155', '压缩机2-2低压', '压缩机2-2低压故障', 2, 55),
  ('bscflt_comp_u22', 'fault', 46, 'HVAC156', 'bscflt_comp_u22', 'HVAC156', '压缩机2-2高压连锁', '压缩机2-2高压连锁故障', 2, 56),
  ('bflt_fad_u21', 'fault', 48, 'HVAC157', 'bflt_fad_u2', 'HVAC157', '新风阀U2', '新风阀U2故障', 3, 57),
  ('bflt_fad_u22', 'fault', 49, 'HVAC157', 'bflt_fad_u2', 'HVAC157', '新风阀U2', '新风阀U2故障', 3, 57),
  ('bflt_rad_u21', 'fault', 50, 'HVAC158', 'bflt_rad_u2', 'HVAC158', '回风阀U2', '回风阀U2故障', 3, 58),
  ('bflt_rad_u22', 'fault', 51, 'HVAC158', 'bflt_rad_u2', 'HVAC158', '回风阀U2', '回风阀U2故障', 3, 58),
  ('bflt_ap_u21', 'fault', 52, 'HVAC159', 'bflt_airclean_u2', 'HVAC159', '空气净化U2', '空气净化U2故障', 3, 59),
  ('bflt_expboard_u2', 'fault', 53, 'HVAC160', 'bflt_expboard_u2', 'HVAC160', '扩展模块U2', '扩展模块U2故障', 2, 60),
  ('bflt_frstemp_u2', 'fault', 54, 'HVAC161', 'bflt_frstemp_u2', 'HVAC161', '新风温度传感器U2', '新风温度传感器U2故障', 3, 61),
  ('bflt_splytemp_u21', 'fault', 56, 'HVAC162', 'bflt_splytemp_u21', 'HVAC162', '送风温度传感器2-1', '送风温度传感器2-1故障', 3, 62),
  ('bflt_splytemp_u22', 'fault', 57, 'HVAC163', 'bflt_splytemp_u22', 'HVAC163', '送风温度传感器2-2', '送风温度传感器2-2故障', 3, 63),
  ('bflt_rnttemp_u2', 'fault', 55, 'HVAC164', 'bflt_rnttemp_u2', 'HVAC164', '回风温度传感器U2', '回风温度传感器U2故障', 3, 64),
  ('bflt_coiltemp_u21', 'fault', 58, 'HVAC165', 'bflt_dfstemp_u21', 'HVAC165', '融霜温度传感器2-1', '融霜温度传感器2-1故障', 3, 65),
  ('bflt_coiltemp_u22', 'fault', 59, 'HVAC166', 'bflt_dfstemp_u22', 'HVAC166', '融霜温度传感器2-2', '融霜温度传感器2-2故障', 3, 66),
  ('bflt_vehtemp_u1', 'fault', 68, 'HVAC167', 'bflt_vehtemp', 'HVAC167', '车厢温度传感器1', '车厢温度传感器1故障', 3, 67),
  ('bflt_vehtemp_u2', 'fault', 69, 'HVAC168', 'bflt_seattemp', 'HVAC168', '车厢温度传感器2', '车厢温度传感器2故障', 3, 68),
  ('bflt_emergivt', 'fault', 67, 'HVAC169', 'bflt_emergivt', 'HVAC169', '紧急逆变器', '紧急逆变器故障', 1, 69),
  ('bflt_vfd_com_u11', 'fault', 6, 'HVAC170', 'bcomuflt_vfd_u11', 'HVAC170', '变频器1-1通讯', '变频器1-1通讯故障', 2, 70),
  ('bflt_vfd_com_u12', 'fault', 8, 'HVAC171', 'bcomuflt_vfd_u12', 'HVAC171', '变频器1-2通讯', '变频器1-2通讯故障', 2, 71),
  ('bflt_vfd_com_u21', 'fault', 39, 'HVAC172', 'bcomuflt_vfd_u21', 'HVAC172', '变频器2-1通讯', '变频器2-1通讯故障', 2, 72),
  ('bflt_vfd_com_u22', 'fault', 41, 'HVAC173', 'bcomuflt_vfd_u22', 'HVAC173', '变频器2-2通讯', '变频器2-2通讯故障', 2, 73),
  ('bflt_powersupply_u1', 'fault', 75, 'HVAC174', 'bmcbflt_pwr_u1', 'HVAC174', '机组1供电', '机组1供电故障', 1, 74),
  ('bflt_powersupply_u2', 'fault', 76, 'HVAC175', 'bmcbflt_pwr_u2', 'HVAC175', '机组2供电', '机组2供电故障', 1, 75),
  ('bscflt_vent_u11', 'fault', 11, 'bscflt_vent_u11', 'bscflt_vent_u11', NULL, NULL, NULL, NULL, NULL),
  ('bscflt_vent_u12', 'fault', 14, 'bscflt_vent_u12', 'bscflt_vent_u12', NULL, NULL, NULL, NULL, NULL),
  ('bflt_insptemp_u11', 'fault', 27, 'bflt_insptemp_u11', 'bflt_insptemp_u11', NULL, NULL, NULL, NULL, NULL),
  ('bflt_insptemp_u12', 'fault', 28, 'bflt_insptemp_u12', 'bflt_insptemp_u12', NULL, NULL, NULL, NULL, NULL),
  ('bflt_lowpres_u11', 'fault', 29, 'bflt_lowpres_u11', 'bflt_lowpres_u11', NULL, NULL, NULL, NULL, NULL),
  ('bflt_lowpres_u12', 'fault', 30, 'bflt_lowpres_u12', 'bflt_lowpres_u12', NULL, NULL, NULL, NULL, NULL),
  ('bflt_highpres_u11', 'fault', 31, 'bflt_highpres_u11', 'bflt_highpres_u11', NULL, NULL, NULL, NULL, NULL),
  ('bflt_highpres_u12', 'fault', 32, 'bflt_highpres_u12', 'bflt_highpres_u12', NULL, NULL, NULL, NULL, NULL),
  ('bflt_diffpres_u1', 'fault', 33, 'bflt_diffpres_u1', 'bflt_diffpres_u1', NULL, NULL, NULL, NULL, NULL),
  ('bscflt_vent_u21', 'fault', 44, 'bscflt_vent_u21', 'bscflt_vent_u21', NULL, NULL, NULL, NULL, NULL),
  ('bscflt_vent_u22', 'fault', 47, 'bscflt_vent_u22', 'bscflt_vent_u22', NULL, NULL, NULL, NULL, NULL),
  ('bflt_insptemp_u21', 'fault', 60, 'bflt_insptemp_u21', 'bflt_insptemp_u21', NULL, NULL, NULL, NULL, NULL),
  ('bflt_insptemp_u22', 'fault', 61, 'bflt_insptemp_u22', 'bflt_insptemp_u22', NULL, NULL, NULL, NULL, NULL),
  ('bflt_lowpres_u21', 'fault', 62, 'bflt_lowpres_u21', 'bflt_lowpres_u21', NULL, NULL, NULL, NULL, NULL),
  ('bflt_lowpres_u22', 'fault', 63, 'bflt_lowpres_u22', 'bflt_lowpres_u22', NULL, NULL, NULL, NULL, NULL),
  ('bflt_highpres_u21', 'fault', 64, 'bflt_highpres_u21', 'bflt_highpres_u21', NULL, NULL, NULL, NULL, NULL),
  ('bflt_highpres_u22', 'fault', 65, 'bflt_highpres_u22', 'bflt_highpres_u22', NULL, NULL, NULL, NULL, NULL),
  ('bflt_diffpres_u2', 'fault', 66, 'bflt_diffpres_u2', 'bflt_diffpres_u2', NULL, NULL, NULL, NULL, NULL),
  ('bflt_airmon_u1', 'fault', 70, 'bflt_airmon_u1', 'bflt_airmon_u1', NULL, NULL, NULL, NULL, NULL),
  ('bflt_airmon_u2', 'fault', 71, 'bflt_airmon_u2', 'bflt_airmon_u2', NULL, NULL, NULL, NULL, NULL),
  ('bflt_currentmon', 'fault', 72, 'bflt_currentmon', 'bflt_currentmon', NULL, NULL, NULL, NULL, NULL),
  ('bflt_tcms', 'fault', 73, 'bflt_tcms', 'bflt_tcms', NULL, NULL, NULL, NULL, NULL),
  ('bflt_tempover', 'fault', 74, 'bflt_tempover', 'bflt_tempover', NULL, NULL, NULL, NULL, NULL),
  ('bflt_exhaustfan', 'fault', 77, 'bflt_exhaustfan', 'bflt_exhaustfan', NULL, NULL, NULL, NULL, NULL),
  ('bflt_exhaustval', 'fault', 78, 'bflt_exhaustval', 'bflt_exhaustval', NULL, NULL, NULL, NULL, NULL);

DELETE FROM report_part_code;
INSERT INTO report_part_code
  (ord, xlsx_name, lookup_key, part_code, part_name, part_metrix, source, source_unit) VALUES
  (1, 'dwOPTime_EF_U1', 'dwoptime_ef_u1', '50001', '机组1通风机累计运行时间', 'serviceTime', 'dwef_op_tm_u11', 'seconds'),
  (2, 'dwOPTime_CF_U1', 'dwoptime_cf_u1', '50002', '机组1冷凝风机累计运行时间', 'serviceTime', 'dwcf_op_tm_u11', 'seconds'),
  (3, 'dwOPTime_Comp_U11', 'dwoptime_comp_u11', '50003', '机组1压缩机1累计运行时间', 'serviceTime', 'dwcp_op_tm_u11', 'seconds'),
  (4, 'dwOPTime_Comp_U12', 'dwoptime_comp_u12', '50004', '机组1压缩机2累计运行时间', 'serviceTime', 'dwcp_op_tm_u12', 'seconds'),
  (5, 'dwOPCount_FAD_U1', 'dwopcount_fad_u1', '50005', '机组1新风阀开关总次数', 'serviceValue', 'dwfad_op_cnt_u1', 'count'),
  (6, 'dwOPCount_RAD_U1', 'dwopcount_rad_u1', '50006', '机组1回风阀开关总次数', 'serviceValue', 'dwrad_op_cnt_u1', 'count'),
  (7, 'dwOPTime_EF_U2', 'dwoptime_ef_u2', '50011', '机组2通风机累计运行时间', 'serviceTime', 'dwef_op_tm_u21', 'seconds'),
  (8, 'dwOPTime_CF_U2', 'dwoptime_cf_u2', '50012', '机组2冷凝风机累计运行时间', 'serviceTime', 'dwcf_op_tm_u21', 'seconds'),
  (9, 'dwOPTime_Comp_U21', 'dwoptime_comp_u21', '50013', '机组2压缩机1累计运行时间', 'serviceTime', 'dwcp_op_tm_u21', 'seconds'),
  (10, 'dwOPTime_Comp_U22', 'dwoptime_comp_u22', '50014', '机组2压缩机2累计运行时间', 'serviceTime', 'dwcp_op_tm_u22', 'seconds'),
  (11, 'dwOPCount_FAD_U2', 'dwopcount_fad_u2', '50015', '机组2新风阀开关总次数', 'serviceValue', 'dwfad_op_cnt_u2', 'count'),
  (12, 'dwOPCount_RAD_U2', 'dwopcount_rad_u2', '50016', '机组2回风阀开关总次数', 'serviceValue', 'dwrad_op_cnt_u2', 'count'),
  (13, 'dwEXUFan_op_tm', 'dwexufan_op_tm', '50021', '废排风机累计运行时间', 'serviceTime', 'dwexufan_op_tm', 'seconds'),
  (14, 'dwDmpEXU_op_cnt', 'dwdmpexu_op_cnt', '50022', '废排风阀开关总次数', 'serviceValue', 'dwdmpexu_op_cnt', 'count');

DELETE FROM report_coach;
INSERT INTO report_coach (carriage, coach) VALUES
  (1, 'Tc1'), (2, 'Mp1'), (3, 'M1'), (4, 'M2'), (5, 'Mp2'), (6, 'Tc2');
COMMIT;
