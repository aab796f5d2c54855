// China's provincial-level divisions as the map names them (the short form: 广东, 内蒙古,
// 北京), and what readers write for them (广东省, 内蒙古自治区, 北京市, 香港特别行政区).
// Pure: used by option.ts to match a chart's province values to the map's regions.

/** The 34 regions of the bundled map (map/json/china.json of echarts 4.9.0, Apache-2.0). */
export const PROVINCES = [
  "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
  "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆",
  "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "台湾", "香港", "澳门",
] as const;

const KNOWN = new Set<string>(PROVINCES);
// Longest first: "维吾尔自治区" before "自治区".
const SUFFIXES = ["特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"];

/** The map's name of a province value ("广东省" → "广东", " 新疆维吾尔自治区 " → "新疆"), or
 * null when it names none of them (a foreign city, an empty value). */
export function provinceOf(value: unknown): string | null {
  if (typeof value !== "string") return null;
  let name = value.trim();
  if (KNOWN.has(name)) return name;
  for (const suffix of SUFFIXES) {
    if (name.endsWith(suffix)) {
      name = name.slice(0, -suffix.length);
      break;
    }
  }
  return KNOWN.has(name) ? name : null;
}
