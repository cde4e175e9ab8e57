# NB67 HVAC telemetry frame (MACDA-NB67), the single source of truth of the layout.
# codec/gen/generate.ts reads this file and writes the AssemblyScript decoder, the JSON Schema,
# the TypeScript encoder, the field reference and codec/generated/fields.json.
# Field ids and order are the legacy ones (zinohome/MACDA-NB67 codec/NB67.ksy, 314 fields, 492 bytes);
# the legacy final reserved u4 `ig_rsv69` at 488 is replaced by the five extended u2 fields, followed by
# the reserved tail and the trailing u2 at 536, so the whole 538-byte frame is described.
#
# Custom keys (Kaitai ignores keys starting with "-"):
#   -nb67-output: keep | drop   keep = the field is in the decoded record (docs/legacy.md §2.1), drop = not
#   -nb67-scale: 0.1            output value = raw / 10 (integer when raw % 10 == 0), the legacy div10 list
#   -nb67-unit: <unit>          engineering unit of the output value
#   -nb67-role: <role>          a field the decoder uses for derived values or validation
#   -nb67-extended: true        not in the legacy output; emitted only when the frame is >= 498 bytes
meta:
  id: nb67
  title: NB67 metro HVAC telemetry frame
  endian: be
  bit-endian: le
  -nb67-frame-length: 538
  -nb67-legacy-min-length: 492
  -nb67-extended-min-length: 498
  -nb67-derived:
    - id: msg_calc_train_no
      doc: "Train number: zpad(dvc_train_no // 1000, 2) + zpad(dvc_train_no % 1000, 3), e.g. 7002 -> 07002"
      type: string
    - id: msg_calc_dvc_no
      doc: "Device number: msg_calc_train_no + zpad(dvc_carriage_no, 2), e.g. 0700203"
      type: string
    - id: msg_calc_dvc_time
      doc: "Source-device time as 20Y-M-D h:m:s from msg_src_dvc_year..second, not zero-padded (legacy)"
      type: string
doc: |
  One status frame of an NB67 metro HVAC controller, sent once a second per carriage: a 36-byte header,
  a 500-byte data area and a trailing 2-byte word (probably a checksum; the algorithm is unknown).
  Every multi-byte integer is big-endian; flags are single bits read LSB first (b1le).
seq:
  - id: msg_header_code01
    type: u1
    doc: "Frame header marker, first byte (0x2C in a valid frame)"
    -nb67-output: keep
    -nb67-role: header-marker-1
  - id: msg_header_code02
    type: u1
    doc: "Frame header marker, second byte (0x01 in a valid frame)"
    -nb67-output: keep
    -nb67-role: header-marker-2
  - id: msg_length
    type: u2
    doc: "Frame length declared by the sender (538 for a whole frame)"
    -nb67-output: keep
    -nb67-unit: "byte"
    -nb67-role: msg-length
  - id: msg_src_dvc_no
    type: u1
    doc: "Source (sender) device address"
    -nb67-output: keep
  - id: msg_host_dvc_no
    type: u1
    doc: "Host (receiver) device address"
    -nb67-output: keep
  - id: msg_type
    type: u2
    doc: "Message type code"
    -nb67-output: keep
  - id: msg_frame_no
    type: u2
    doc: "Frame sequence counter"
    -nb67-output: keep
  - id: msg_line_no
    type: u2
    doc: "Metro line number (header)"
    -nb67-output: keep
  - id: msg_train_type
    type: u2
    doc: "Train type code"
    -nb67-output: keep
  - id: msg_train_no
    type: u4
    doc: "Train number (header)"
    -nb67-output: keep
  - id: msg_carriage_no
    type: u1
    doc: "Carriage number (header)"
    -nb67-output: keep
  - id: msg_protocal_version
    type: u1
    doc: "Protocol version (legacy spelling \"protocal\" kept)"
    -nb67-output: keep
  - id: msg_reversed1
    type: u2
    doc: "Reserved header word (legacy spelling \"reversed\")"
    -nb67-output: drop
  - id: msg_reversed2
    type: u2
    doc: "Reserved header word (legacy spelling \"reversed\")"
    -nb67-output: drop
  - id: msg_reversed3
    type: u2
    doc: "Reserved header word (legacy spelling \"reversed\")"
    -nb67-output: drop
  - id: msg_reversed4
    type: u2
    doc: "Reserved header word (legacy spelling \"reversed\")"
    -nb67-output: drop
  - id: msg_reversed5
    type: u2
    doc: "Reserved header word (legacy spelling \"reversed\")"
    -nb67-output: drop
  - id: msg_src_dvc_year
    type: u1
    doc: "Header source-device clock: year (2 digits, 20YY) (builds msg_calc_dvc_time)"
    -nb67-output: drop
    -nb67-role: dvc-time-year
  - id: msg_src_dvc_month
    type: u1
    doc: "Header source-device clock: month (builds msg_calc_dvc_time)"
    -nb67-output: drop
    -nb67-role: dvc-time-month
  - id: msg_src_dvc_day
    type: u1
    doc: "Header source-device clock: day of month (builds msg_calc_dvc_time)"
    -nb67-output: drop
    -nb67-role: dvc-time-day
  - id: msg_src_dvc_hour
    type: u1
    doc: "Header source-device clock: hour (builds msg_calc_dvc_time)"
    -nb67-output: drop
    -nb67-role: dvc-time-hour
  - id: msg_src_dvc_minute
    type: u1
    doc: "Header source-device clock: minute (builds msg_calc_dvc_time)"
    -nb67-output: drop
    -nb67-role: dvc-time-minute
  - id: msg_src_dvc_second
    type: u1
    doc: "Header source-device clock: second (builds msg_calc_dvc_time)"
    -nb67-output: drop
    -nb67-role: dvc-time-second
  - id: dvc_flag
    type: u1
    doc: "Device data flag"
    -nb67-output: keep
  - id: dvc_train_no
    type: u2
    doc: "Train number as line*1000 + train (7002 = line 07, train 002); source of msg_calc_train_no and msg_calc_dvc_no; must be >= 1000"
    -nb67-output: keep
    -nb67-role: train-no
  - id: dvc_carriage_no
    type: u1
    doc: "Carriage number; source of the last two digits of msg_calc_dvc_no"
    -nb67-output: keep
    -nb67-role: carriage-no
  - id: dvc_year
    type: u1
    doc: "Device clock: year (2 digits, 20YY)"
    -nb67-output: keep
    -nb67-role: device-clock-year
  - id: dvc_month
    type: u1
    doc: "Device clock: month"
    -nb67-output: keep
    -nb67-role: device-clock-month
  - id: dvc_day
    type: u1
    doc: "Device clock: day of month"
    -nb67-output: keep
    -nb67-role: device-clock-day
  - id: dvc_hour
    type: u1
    doc: "Device clock: hour"
    -nb67-output: keep
    -nb67-role: device-clock-hour
  - id: dvc_minute
    type: u1
    doc: "Device clock: minute"
    -nb67-output: keep
    -nb67-role: device-clock-minute
  - id: dvc_second
    type: u1
    doc: "Device clock: second"
    -nb67-output: keep
    -nb67-role: device-clock-second
  - id: ig_rsv0
    type: u1
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv1
    type: u1
    doc: "Reserved"
    -nb67-output: drop
  - id: cfbk_ef_u11
    type: b1le
    doc: "Contactor feedback: evaporator (supply air) fan of unit 1, no. 1 running (1 = on)"
    -nb67-output: keep
  - id: ig_rsv2
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: cfbk_cf_u11
    type: b1le
    doc: "Contactor feedback: condenser fan of unit 1, no. 1 running (1 = on)"
    -nb67-output: keep
  - id: ig_rsv3
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: cfbk_comp_u11
    type: b1le
    doc: "Contactor feedback: compressor of unit 1, no. 1 running (1 = on)"
    -nb67-output: keep
  - id: cfbk_comp_u12
    type: b1le
    doc: "Contactor feedback: compressor of unit 1, no. 2 running (1 = on)"
    -nb67-output: keep
  - id: cfbk_ap_u11
    type: b1le
    doc: "Contactor feedback: air purifier of unit 1, no. 1 running (1 = on)"
    -nb67-output: keep
  - id: ig_rsv4
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: cfbk_ef_u21
    type: b1le
    doc: "Contactor feedback: evaporator (supply air) fan of unit 2, no. 1 running (1 = on)"
    -nb67-output: keep
  - id: ig_rsv5
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: cfbk_cf_u21
    type: b1le
    doc: "Contactor feedback: condenser fan of unit 2, no. 1 running (1 = on)"
    -nb67-output: keep
  - id: ig_rsv6
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: cfbk_comp_u21
    type: b1le
    doc: "Contactor feedback: compressor of unit 2, no. 1 running (1 = on)"
    -nb67-output: keep
  - id: cfbk_comp_u22
    type: b1le
    doc: "Contactor feedback: compressor of unit 2, no. 2 running (1 = on)"
    -nb67-output: keep
  - id: cfbk_ap_u21
    type: b1le
    doc: "Contactor feedback: air purifier of unit 2, no. 1 running (1 = on)"
    -nb67-output: keep
  - id: ig_rsv7
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: cfbk_tpp_u1
    type: b1le
    doc: "Contactor feedback: TPP relay (legacy abbreviation) of unit 1 running (1 = on)"
    -nb67-output: keep
  - id: cfbk_tpp_u2
    type: b1le
    doc: "Contactor feedback: TPP relay (legacy abbreviation) of unit 2 running (1 = on)"
    -nb67-output: keep
  - id: cfbk_ev_u1
    type: b1le
    doc: "Contactor feedback: emergency ventilation of unit 1 running (1 = on)"
    -nb67-output: keep
  - id: cfbk_ev_u2
    type: b1le
    doc: "Contactor feedback: emergency ventilation of unit 2 running (1 = on)"
    -nb67-output: keep
  - id: cfbk_ewd
    type: b1le
    doc: "Contactor feedback: EWD (legacy abbreviation) running (1 = on)"
    -nb67-output: keep
  - id: cfbk_exufan
    type: b1le
    doc: "Contactor feedback: exhaust fan running (1 = on)"
    -nb67-output: keep
  - id: ig_rsv9
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv10
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: bocflt_ef_u11
    type: b1le
    doc: "Over-current fault: evaporator (supply air) fan of unit 1, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bocflt_ef_u12
    type: b1le
    doc: "Over-current fault: evaporator (supply air) fan of unit 1, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bocflt_cf_u11
    type: b1le
    doc: "Over-current fault: condenser fan of unit 1, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bocflt_cf_u12
    type: b1le
    doc: "Over-current fault: condenser fan of unit 1, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_vfd_u11
    type: b1le
    doc: "Fault: compressor inverter (VFD) fault of unit 1, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_vfd_com_u11
    type: b1le
    doc: "Fault: compressor inverter (VFD) communication fault of unit 1, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_vfd_u12
    type: b1le
    doc: "Fault: compressor inverter (VFD) fault of unit 1, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_vfd_com_u12
    type: b1le
    doc: "Fault: compressor inverter (VFD) communication fault of unit 1, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: blpflt_comp_u11
    type: b1le
    doc: "Low-pressure protection fault: compressor of unit 1, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bscflt_comp_u11
    type: b1le
    doc: "Protection fault (legacy \"sc\"): compressor of unit 1, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bscflt_vent_u11
    type: b1le
    doc: "Protection fault (legacy \"sc\"): ventilation of unit 1, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: blpflt_comp_u12
    type: b1le
    doc: "Low-pressure protection fault: compressor of unit 1, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bscflt_comp_u12
    type: b1le
    doc: "Protection fault (legacy \"sc\"): compressor of unit 1, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bscflt_vent_u12
    type: b1le
    doc: "Protection fault (legacy \"sc\"): ventilation of unit 1, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_fad_u11
    type: b1le
    doc: "Fault: fresh air damper fault of unit 1, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_fad_u12
    type: b1le
    doc: "Fault: fresh air damper fault of unit 1, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: ig_rsv11
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv12
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: bflt_rad_u11
    type: b1le
    doc: "Fault: return air damper fault of unit 1, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_rad_u12
    type: b1le
    doc: "Fault: return air damper fault of unit 1, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: ig_rsv13
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv14
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: bflt_ap_u11
    type: b1le
    doc: "Fault: air purifier fault of unit 1, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: ig_rsv15
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: bflt_expboard_u1
    type: b1le
    doc: "Fault: expansion board fault of unit 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_frstemp_u1
    type: b1le
    doc: "Fault: fresh air temperature sensor fault of unit 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_rnttemp_u1
    type: b1le
    doc: "Fault: return air temperature sensor fault of unit 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_splytemp_u11
    type: b1le
    doc: "Fault: supply air temperature sensor fault of unit 1, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_splytemp_u12
    type: b1le
    doc: "Fault: supply air temperature sensor fault of unit 1, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_coiltemp_u11
    type: b1le
    doc: "Fault: coil temperature sensor fault of unit 1, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_coiltemp_u12
    type: b1le
    doc: "Fault: coil temperature sensor fault of unit 1, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_insptemp_u11
    type: b1le
    doc: "Fault: suction temperature sensor fault of unit 1, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_insptemp_u12
    type: b1le
    doc: "Fault: suction temperature sensor fault of unit 1, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_lowpres_u11
    type: b1le
    doc: "Fault: low pressure sensor fault of unit 1, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_lowpres_u12
    type: b1le
    doc: "Fault: low pressure sensor fault of unit 1, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_highpres_u11
    type: b1le
    doc: "Fault: high pressure sensor fault of unit 1, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_highpres_u12
    type: b1le
    doc: "Fault: high pressure sensor fault of unit 1, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_diffpres_u1
    type: b1le
    doc: "Fault: filter differential pressure sensor fault of unit 1 (1 = fault)"
    -nb67-output: keep
  - id: bocflt_ef_u21
    type: b1le
    doc: "Over-current fault: evaporator (supply air) fan of unit 2, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bocflt_ef_u22
    type: b1le
    doc: "Over-current fault: evaporator (supply air) fan of unit 2, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bocflt_cf_u21
    type: b1le
    doc: "Over-current fault: condenser fan of unit 2, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bocflt_cf_u22
    type: b1le
    doc: "Over-current fault: condenser fan of unit 2, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_vfd_u21
    type: b1le
    doc: "Fault: compressor inverter (VFD) fault of unit 2, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_vfd_com_u21
    type: b1le
    doc: "Fault: compressor inverter (VFD) communication fault of unit 2, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_vfd_u22
    type: b1le
    doc: "Fault: compressor inverter (VFD) fault of unit 2, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_vfd_com_u22
    type: b1le
    doc: "Fault: compressor inverter (VFD) communication fault of unit 2, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: blpflt_comp_u21
    type: b1le
    doc: "Low-pressure protection fault: compressor of unit 2, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bscflt_comp_u21
    type: b1le
    doc: "Protection fault (legacy \"sc\"): compressor of unit 2, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bscflt_vent_u21
    type: b1le
    doc: "Protection fault (legacy \"sc\"): ventilation of unit 2, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: blpflt_comp_u22
    type: b1le
    doc: "Low-pressure protection fault: compressor of unit 2, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bscflt_comp_u22
    type: b1le
    doc: "Protection fault (legacy \"sc\"): compressor of unit 2, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bscflt_vent_u22
    type: b1le
    doc: "Protection fault (legacy \"sc\"): ventilation of unit 2, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_fad_u21
    type: b1le
    doc: "Fault: fresh air damper fault of unit 2, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_fad_u22
    type: b1le
    doc: "Fault: fresh air damper fault of unit 2, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: ig_rsv16
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv17
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: bflt_rad_u21
    type: b1le
    doc: "Fault: return air damper fault of unit 2, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_rad_u22
    type: b1le
    doc: "Fault: return air damper fault of unit 2, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: ig_rsv18
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv19
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: bflt_ap_u21
    type: b1le
    doc: "Fault: air purifier fault of unit 2, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: ig_rsv20
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: bflt_expboard_u2
    type: b1le
    doc: "Fault: expansion board fault of unit 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_frstemp_u2
    type: b1le
    doc: "Fault: fresh air temperature sensor fault of unit 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_rnttemp_u2
    type: b1le
    doc: "Fault: return air temperature sensor fault of unit 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_splytemp_u21
    type: b1le
    doc: "Fault: supply air temperature sensor fault of unit 2, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_splytemp_u22
    type: b1le
    doc: "Fault: supply air temperature sensor fault of unit 2, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_coiltemp_u21
    type: b1le
    doc: "Fault: coil temperature sensor fault of unit 2, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_coiltemp_u22
    type: b1le
    doc: "Fault: coil temperature sensor fault of unit 2, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_insptemp_u21
    type: b1le
    doc: "Fault: suction temperature sensor fault of unit 2, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_insptemp_u22
    type: b1le
    doc: "Fault: suction temperature sensor fault of unit 2, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_lowpres_u21
    type: b1le
    doc: "Fault: low pressure sensor fault of unit 2, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_lowpres_u22
    type: b1le
    doc: "Fault: low pressure sensor fault of unit 2, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_highpres_u21
    type: b1le
    doc: "Fault: high pressure sensor fault of unit 2, no. 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_highpres_u22
    type: b1le
    doc: "Fault: high pressure sensor fault of unit 2, no. 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_diffpres_u2
    type: b1le
    doc: "Fault: filter differential pressure sensor fault of unit 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_emergivt
    type: b1le
    doc: "Fault: emergency inverter fault (1 = fault)"
    -nb67-output: keep
  - id: ig_rsv240
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv241
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv242
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: bflt_vehtemp_u1
    type: b1le
    doc: "Fault: vehicle (cabin) temperature sensor fault of unit 1 (1 = fault)"
    -nb67-output: keep
  - id: ig_rsv251
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: bflt_vehtemp_u2
    type: b1le
    doc: "Fault: vehicle (cabin) temperature sensor fault of unit 2 (1 = fault)"
    -nb67-output: keep
  - id: ig_rsv252
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: bflt_airmon_u1
    type: b1le
    doc: "Fault: air quality monitor fault of unit 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_airmon_u2
    type: b1le
    doc: "Fault: air quality monitor fault of unit 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_currentmon
    type: b1le
    doc: "Fault: current monitor fault (1 = fault)"
    -nb67-output: keep
  - id: bflt_tcms
    type: b1le
    doc: "Fault: TCMS communication fault (1 = fault)"
    -nb67-output: keep
  - id: ig_rsv26
    type: u1
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv27
    type: u1
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv28
    type: u1
    doc: "Reserved"
    -nb67-output: drop
  - id: bflt_tempover
    type: b1le
    doc: "Fault: over-temperature fault (1 = fault)"
    -nb67-output: keep
  - id: bflt_powersupply_u1
    type: b1le
    doc: "Fault: power supply fault of unit 1 (1 = fault)"
    -nb67-output: keep
  - id: bflt_powersupply_u2
    type: b1le
    doc: "Fault: power supply fault of unit 2 (1 = fault)"
    -nb67-output: keep
  - id: bflt_exhaustfan
    type: b1le
    doc: "Fault: exhaust fan fault (1 = fault)"
    -nb67-output: keep
  - id: bflt_exhaustval
    type: b1le
    doc: "Fault: exhaust valve fault (1 = fault)"
    -nb67-output: keep
  - id: ig_rsv29
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv30
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv31
    type: b1le
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv32
    type: s2
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv33
    type: s2
    doc: "Reserved"
    -nb67-output: drop
  - id: fas_sys
    type: s2
    doc: "Fresh air temperature, system value"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: ras_sys
    type: s2
    doc: "Return air temperature, system value"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: tic
    type: s2
    doc: "Target (set-point) cabin temperature"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: load
    type: s2
    doc: "HVAC load"
    -nb67-output: keep
    -nb67-unit: "%"
  - id: wrsv_42
    type: s2
    doc: "Reserved"
    -nb67-output: drop
  - id: tveh_1
    type: s2
    doc: "Vehicle (cabin) temperature, sensor 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: humdity_1
    type: s2
    doc: "Cabin humidity, sensor (legacy spelling) 1"
    -nb67-output: drop
    -nb67-unit: "%RH"
  - id: tveh_2
    type: s2
    doc: "Vehicle (cabin) temperature, sensor 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: humdity_2
    type: s2
    doc: "Cabin humidity, sensor (legacy spelling) 2"
    -nb67-output: drop
    -nb67-unit: "%RH"
  - id: aq_t_u1
    type: s2
    doc: "Air quality monitor temperature of unit 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: aq_h_u1
    type: s2
    doc: "Air quality monitor humidity of unit 1"
    -nb67-output: keep
    -nb67-unit: "%RH"
  - id: aq_co2_u1
    type: s2
    doc: "CO2 concentration of unit 1"
    -nb67-output: keep
    -nb67-unit: "ppm"
  - id: aq_tvoc_u1
    type: s2
    doc: "TVOC concentration of unit 1"
    -nb67-output: keep
    -nb67-unit: "ug/m3"
  - id: aq_formald_u1
    type: s2
    doc: "Formaldehyde concentration of unit 1"
    -nb67-output: keep
    -nb67-unit: "ug/m3"
  - id: aq_pm2_5_u1
    type: s2
    doc: "PM2.5 concentration of unit 1"
    -nb67-output: keep
    -nb67-unit: "ug/m3"
  - id: aq_pm10_u1
    type: s2
    doc: "PM10 concentration of unit 1"
    -nb67-output: keep
    -nb67-unit: "ug/m3"
  - id: aq_rsv_u1
    type: s2
    doc: "Air quality monitor reserved word of unit 1"
    -nb67-output: drop
  - id: wmode_u1
    type: s2
    doc: "Working mode code of unit 1"
    -nb67-output: keep
  - id: presdiff_u1
    type: s2
    doc: "Filter differential pressure (32767 raw = sensor invalid) of unit 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "Pa"
  - id: fas_u1
    type: s2
    doc: "Fresh air temperature of unit 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: ras_u1
    type: s2
    doc: "Return air temperature of unit 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: fadpos_u1
    type: s2
    doc: "Fresh air damper position of unit 1"
    -nb67-output: keep
    -nb67-unit: "%"
  - id: radpos_u1
    type: s2
    doc: "Return air damper position of unit 1"
    -nb67-output: keep
    -nb67-unit: "%"
  - id: f_cp_u11
    type: s2
    doc: "Compressor frequency of unit 1, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "Hz"
  - id: i_cp_u11
    type: s2
    doc: "Compressor current of unit 1, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "A"
  - id: v_cp_u11
    type: s2
    doc: "Compressor voltage of unit 1, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "V"
  - id: p_cp_u11
    type: s2
    doc: "Compressor power of unit 1, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "kW"
  - id: suckt_u11
    type: s2
    doc: "Suction temperature of unit 1, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: suckp_u11
    type: s2
    doc: "Suction pressure of unit 1, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "bar"
  - id: sp_u11
    type: s2
    doc: "Superheat of unit 1, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "K"
  - id: eevpos_u11
    type: s2
    doc: "Electronic expansion valve position of unit 1, no. 1"
    -nb67-output: keep
    -nb67-unit: "step"
  - id: highpress_u11
    type: s2
    doc: "High (discharge) pressure of unit 1, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "bar"
  - id: sas_u11
    type: s2
    doc: "Supply air temperature of unit 1, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: ices_u11
    type: s2
    doc: "Evaporator coil (icing) temperature of unit 1, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: f_cp_u12
    type: s2
    doc: "Compressor frequency of unit 1, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "Hz"
  - id: i_cp_u12
    type: s2
    doc: "Compressor current of unit 1, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "A"
  - id: v_cp_u12
    type: s2
    doc: "Compressor voltage of unit 1, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "V"
  - id: p_cp_u12
    type: s2
    doc: "Compressor power of unit 1, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "kW"
  - id: suckt_u12
    type: s2
    doc: "Suction temperature of unit 1, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: suckp_u12
    type: s2
    doc: "Suction pressure of unit 1, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "bar"
  - id: sp_u12
    type: s2
    doc: "Superheat of unit 1, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "K"
  - id: eevpos_u12
    type: s2
    doc: "Electronic expansion valve position of unit 1, no. 2"
    -nb67-output: keep
    -nb67-unit: "step"
  - id: highpress_u12
    type: s2
    doc: "High (discharge) pressure of unit 1, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "bar"
  - id: sas_u12
    type: s2
    doc: "Supply air temperature of unit 1, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: ices_u12
    type: s2
    doc: "Evaporator coil (icing) temperature of unit 1, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: wrsv_124
    type: s2
    doc: "Reserved"
    -nb67-output: drop
  - id: aq_t_u2
    type: s2
    doc: "Air quality monitor temperature of unit 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: aq_h_u2
    type: s2
    doc: "Air quality monitor humidity of unit 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "%RH"
  - id: aq_co2_u2
    type: s2
    doc: "CO2 concentration of unit 2"
    -nb67-output: keep
    -nb67-unit: "ppm"
  - id: aq_tvoc_u2
    type: s2
    doc: "TVOC concentration of unit 2"
    -nb67-output: keep
    -nb67-unit: "ug/m3"
  - id: aq_formald_u2
    type: s2
    doc: "Formaldehyde concentration of unit 2"
    -nb67-output: keep
    -nb67-unit: "ug/m3"
  - id: aq_pm2_5_u2
    type: s2
    doc: "PM2.5 concentration of unit 2"
    -nb67-output: keep
    -nb67-unit: "ug/m3"
  - id: aq_pm10_u2
    type: s2
    doc: "PM10 concentration of unit 2"
    -nb67-output: keep
    -nb67-unit: "ug/m3"
  - id: aq_rsv_u2
    type: s2
    doc: "Air quality monitor reserved word of unit 2"
    -nb67-output: drop
  - id: wmode_u2
    type: s2
    doc: "Working mode code of unit 2"
    -nb67-output: keep
  - id: presdiff_u2
    type: s2
    doc: "Filter differential pressure (32767 raw = sensor invalid) of unit 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "Pa"
  - id: fas_u2
    type: s2
    doc: "Fresh air temperature of unit 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: ras_u2
    type: s2
    doc: "Return air temperature of unit 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: fadpos_u2
    type: s2
    doc: "Fresh air damper position of unit 2"
    -nb67-output: keep
    -nb67-unit: "%"
  - id: radpos_u2
    type: s2
    doc: "Return air damper position of unit 2"
    -nb67-output: keep
    -nb67-unit: "%"
  - id: f_cp_u21
    type: s2
    doc: "Compressor frequency of unit 2, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "Hz"
  - id: i_cp_u21
    type: s2
    doc: "Compressor current of unit 2, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "A"
  - id: v_cp_u21
    type: s2
    doc: "Compressor voltage of unit 2, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "V"
  - id: p_cp_u21
    type: s2
    doc: "Compressor power of unit 2, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "kW"
  - id: suckt_u21
    type: s2
    doc: "Suction temperature of unit 2, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: suckp_u21
    type: s2
    doc: "Suction pressure of unit 2, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "bar"
  - id: sp_u21
    type: s2
    doc: "Superheat of unit 2, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "K"
  - id: eevpos_u21
    type: s2
    doc: "Electronic expansion valve position of unit 2, no. 1"
    -nb67-output: keep
    -nb67-unit: "step"
  - id: highpress_u21
    type: s2
    doc: "High (discharge) pressure of unit 2, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "bar"
  - id: sas_u21
    type: s2
    doc: "Supply air temperature of unit 2, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: ices_u21
    type: s2
    doc: "Evaporator coil (icing) temperature of unit 2, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: f_cp_u22
    type: s2
    doc: "Compressor frequency of unit 2, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "Hz"
  - id: i_cp_u22
    type: s2
    doc: "Compressor current of unit 2, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "A"
  - id: v_cp_u22
    type: s2
    doc: "Compressor voltage of unit 2, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "V"
  - id: p_cp_u22
    type: s2
    doc: "Compressor power of unit 2, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "kW"
  - id: suckt_u22
    type: s2
    doc: "Suction temperature of unit 2, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: suckp_u22
    type: s2
    doc: "Suction pressure of unit 2, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "bar"
  - id: sp_u22
    type: s2
    doc: "Superheat of unit 2, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "K"
  - id: eevpos_u22
    type: s2
    doc: "Electronic expansion valve position of unit 2, no. 2"
    -nb67-output: keep
    -nb67-unit: "step"
  - id: highpress_u22
    type: s2
    doc: "High (discharge) pressure of unit 2, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "bar"
  - id: sas_u22
    type: s2
    doc: "Supply air temperature of unit 2, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: ices_u22
    type: s2
    doc: "Evaporator coil (icing) temperature of unit 2, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "degC"
  - id: ig_rsv34
    type: s2
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv35
    type: s2
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv36
    type: s2
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv37
    type: s2
    doc: "Reserved"
    -nb67-output: drop
  - id: i_ef_u11
    type: s2
    doc: "Evaporator fan current of unit 1, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "A"
  - id: i_ef_u12
    type: s2
    doc: "Evaporator fan current of unit 1, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "A"
  - id: i_cf_u11
    type: s2
    doc: "Condenser fan current of unit 1, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "A"
  - id: i_cf_u12
    type: s2
    doc: "Condenser fan current of unit 1, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "A"
  - id: i_ef_u21
    type: s2
    doc: "Evaporator fan current of unit 2, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "A"
  - id: i_ef_u22
    type: s2
    doc: "Evaporator fan current of unit 2, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "A"
  - id: i_cf_u21
    type: s2
    doc: "Condenser fan current of unit 2, no. 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "A"
  - id: i_cf_u22
    type: s2
    doc: "Condenser fan current of unit 2, no. 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "A"
  - id: i_hvac_u1
    type: s2
    doc: "HVAC unit total current of unit 1"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "A"
  - id: i_hvac_u2
    type: s2
    doc: "HVAC unit total current of unit 2"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "A"
  - id: i_exufan
    type: s2
    doc: "Exhaust fan current"
    -nb67-output: keep
    -nb67-scale: 0.1
    -nb67-unit: "A"
  - id: ig_rsv38
    type: s2
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv39
    type: s2
    doc: "Reserved"
    -nb67-output: drop
  - id: dwpower
    type: u4
    doc: "Energy consumption counter"
    -nb67-output: keep
    -nb67-unit: "kWh"
  - id: dwemerg_op_tm
    type: u4
    doc: "Emergency ventilation operating time counter"
    -nb67-output: keep
    -nb67-unit: "counter (as sent)"
  - id: dwemerg_op_cnt
    type: u4
    doc: "Emergency ventilation start counter"
    -nb67-output: keep
    -nb67-unit: "count"
  - id: dwef_op_tm_u11
    type: u4
    doc: "Evaporator fan operating time counter of unit 1, no. 1"
    -nb67-output: keep
    -nb67-unit: "counter (as sent)"
  - id: ig_rsv40
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: dwcf_op_tm_u11
    type: u4
    doc: "Condenser fan operating time counter of unit 1, no. 1"
    -nb67-output: keep
    -nb67-unit: "counter (as sent)"
  - id: ig_rsv41
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: dwcp_op_tm_u11
    type: u4
    doc: "Compressor operating time counter of unit 1, no. 1"
    -nb67-output: keep
    -nb67-unit: "counter (as sent)"
  - id: dwcp_op_tm_u12
    type: u4
    doc: "Compressor operating time counter of unit 1, no. 2"
    -nb67-output: keep
    -nb67-unit: "counter (as sent)"
  - id: ig_rsv42
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv43
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: dwfad_op_cnt_u1
    type: u4
    doc: "Fresh air damper operation counter of unit 1"
    -nb67-output: keep
    -nb67-unit: "count"
  - id: dwrad_op_cnt_u1
    type: u4
    doc: "Return air damper operation counter of unit 1"
    -nb67-output: keep
    -nb67-unit: "count"
  - id: dwef_op_cnt_u11
    type: u4
    doc: "Evaporator fan start counter of unit 1, no. 1"
    -nb67-output: keep
    -nb67-unit: "count"
  - id: ig_rsv44
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: dwcf_op_cnt_u11
    type: u4
    doc: "Condenser fan start counter of unit 1, no. 1"
    -nb67-output: keep
    -nb67-unit: "count"
  - id: ig_rsv45
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: dwcp_op_cnt_u11
    type: u4
    doc: "Compressor start counter of unit 1, no. 1"
    -nb67-output: keep
    -nb67-unit: "count"
  - id: dwcp_op_cnt_u12
    type: u4
    doc: "Compressor start counter of unit 1, no. 2"
    -nb67-output: keep
    -nb67-unit: "count"
  - id: ig_rsv46
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv47
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: dwef_op_tm_u21
    type: u4
    doc: "Evaporator fan operating time counter of unit 2, no. 1"
    -nb67-output: keep
    -nb67-unit: "counter (as sent)"
  - id: ig_rsv48
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: dwcf_op_tm_u21
    type: u4
    doc: "Condenser fan operating time counter of unit 2, no. 1"
    -nb67-output: keep
    -nb67-unit: "counter (as sent)"
  - id: ig_rsv49
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: dwcp_op_tm_u21
    type: u4
    doc: "Compressor operating time counter of unit 2, no. 1"
    -nb67-output: keep
    -nb67-unit: "counter (as sent)"
  - id: dwcp_op_tm_u22
    type: u4
    doc: "Compressor operating time counter of unit 2, no. 2"
    -nb67-output: keep
    -nb67-unit: "counter (as sent)"
  - id: ig_rsv50
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv51
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: dwfad_op_cnt_u2
    type: u4
    doc: "Fresh air damper operation counter of unit 2"
    -nb67-output: keep
    -nb67-unit: "count"
  - id: dwrad_op_cnt_u2
    type: u4
    doc: "Return air damper operation counter of unit 2"
    -nb67-output: keep
    -nb67-unit: "count"
  - id: dwef_op_cnt_u21
    type: u4
    doc: "Evaporator fan start counter of unit 2, no. 1"
    -nb67-output: keep
    -nb67-unit: "count"
  - id: ig_rsv52
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: dwcf_op_cnt_u21
    type: u4
    doc: "Condenser fan start counter of unit 2, no. 1"
    -nb67-output: keep
    -nb67-unit: "count"
  - id: ig_rsv53
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: dwcp_op_cnt_u21
    type: u4
    doc: "Compressor start counter of unit 2, no. 1"
    -nb67-output: keep
    -nb67-unit: "count"
  - id: dwcp_op_cnt_u22
    type: u4
    doc: "Compressor start counter of unit 2, no. 2"
    -nb67-output: keep
    -nb67-unit: "count"
  - id: ig_rsv54
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv55
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: dwexufan_op_tm
    type: u4
    doc: "Exhaust fan operating time counter"
    -nb67-output: keep
    -nb67-unit: "counter (as sent)"
  - id: dwexufan_op_cnt
    type: u4
    doc: "Exhaust fan start counter"
    -nb67-output: keep
    -nb67-unit: "count"
  - id: dwdmpexu_op_cnt
    type: u4
    doc: "Exhaust damper operation counter"
    -nb67-output: keep
    -nb67-unit: "count"
  - id: ig_rsv56
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv57
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv58
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv59
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv60
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv61
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv62
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv63
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv64
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv65
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv66
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv67
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: ig_rsv68
    type: u4
    doc: "Reserved"
    -nb67-output: drop
  - id: dmp_exu_pos
    type: u2
    doc: "Exhaust damper position (extended field, not in the legacy output; the legacy layout reads bytes 488..491 as the reserved u4 ig_rsv69)"
    if: _io.size >= 498
    -nb67-output: keep
    -nb67-extended: true
    -nb67-unit: "%"
  - id: start_station
    type: u2
    doc: "Start station code of the current trip (extended field, not in the legacy output; the legacy layout reads bytes 488..491 as the reserved u4 ig_rsv69)"
    if: _io.size >= 498
    -nb67-output: keep
    -nb67-extended: true
  - id: terminal_station
    type: u2
    doc: "Terminal station code of the current trip (extended field, not in the legacy output; the legacy layout reads bytes 488..491 as the reserved u4 ig_rsv69)"
    if: _io.size >= 498
    -nb67-output: keep
    -nb67-extended: true
  - id: cur_station
    type: u2
    doc: "Current station code (extended field, not in the legacy output; the legacy layout reads bytes 488..491 as the reserved u4 ig_rsv69)"
    if: _io.size >= 498
    -nb67-output: keep
    -nb67-extended: true
  - id: next_station
    type: u2
    doc: "Next station code (extended field, not in the legacy output; the legacy layout reads bytes 488..491 as the reserved u4 ig_rsv69)"
    if: _io.size >= 498
    -nb67-output: keep
    -nb67-extended: true
  - id: ig_rsv70
    size: 38
    doc: "Reserved tail of the data area, bytes 498..535 (zero in the real frames)"
    if: _io.size >= 538
    -nb67-output: drop
  - id: checksum
    type: u2
    doc: "Trailing word at 536..537, probably a checksum; no standard CRC-16 or sum over the frame matches it (see docs/deviations.md), so it is not checked"
    if: _io.size >= 538
    -nb67-output: drop
    -nb67-role: checksum
