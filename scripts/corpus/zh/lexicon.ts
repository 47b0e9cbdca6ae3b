/**
 * Chinese word lists (simplified). Chosen for a small character set: everyday
 * characters only, so a character-level model's vocabulary stays in the hundreds.
 * Animals use 小- forms children's books use (小猫, 小兔子); 熊猫 stays bare because
 * 小熊猫 is a different animal (the red panda).
 */
import type { AnimalWord, Character, Place } from '../language';

export const NAMES: readonly Character[] = (
  '豆豆 乐乐 多多 贝贝 圆圆 咪咪 花花 点点 丁丁 亮亮 小白 小黑 毛毛 球球 果果 米米 皮皮 ' +
  '东东 冬冬 小明 小红 小兰 小刚 小华 小丽 小军 小芳 甜甜 佳佳 天天'
)
  .split(' ')
  // Chinese stories call animals 它, so gender never shows; it is kept for the type.
  .map((name, i): Character => ({ name, gender: i % 2 ? 'f' : 'm' }));

export const ANIMALS: readonly AnimalWord[] = [
  ['cat', '小猫'],
  ['dog', '小狗'],
  ['rabbit', '小兔子'],
  ['bear', '小熊'],
  ['panda', '熊猫'],
  ['duck', '小鸭子'],
  ['fox', '小狐狸'],
  ['owl', '猫头鹰'],
  ['mouse', '小老鼠'],
  ['frog', '小青蛙'],
  ['pig', '小猪'],
  ['lion', '小狮子'],
  ['tiger', '小老虎'],
  ['elephant', '小象'],
  ['monkey', '小猴子'],
  ['turtle', '小乌龟'],
  ['bird', '小鸟'],
  ['sheep', '小羊'],
  ['squirrel', '小松鼠'],
  ['chicken', '小鸡'],
  ['penguin', '小企鹅'],
  ['deer', '小鹿'],
].map(([id, word]) => ({ id, word }));

export const ADJECTIVES: readonly string[] =
  '可爱的 聪明的 勇敢的 善良的 活泼的 胖胖的 安静的 调皮的 害羞的'.split(' ');

const place = (word: string, at: string): Place => ({ word, at });

export const PLACES: readonly Place[] = [
  place('森林', '森林里'),
  place('公园', '公园里'),
  place('花园', '花园里'),
  place('农场', '农场上'),
  place('海边', '海边'),
  place('河边', '河边'),
  place('山上', '山上'),
  place('草地', '草地上'),
  place('小村子', '小村子里'),
  place('湖边', '湖边'),
  place('山谷', '山谷里'),
  place('小岛', '小岛上'),
  place('果园', '果园里'),
];

export const OBJECTS: readonly string[] =
  '风筝 小船 玩具车 小鼓 杯子 皮球 小火车 铃铛 雨伞 音乐盒 灯笼 小碗 闹钟 机器人'.split(' ');

export const COLORS: readonly string[] = '红色 蓝色 绿色 黄色 白色 粉色 紫色 漂亮的 心爱的'.split(
  ' ',
);

export const FOODS: readonly string[] =
  '苹果 香蕉 胡萝卜 草莓 桃子 葡萄 饼干 蛋糕 果子 玉米 樱桃 梨'.split(' ');
