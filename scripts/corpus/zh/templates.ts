/**
 * Chinese sentence templates (syntax in ../template.ts). Slots: {name} {he}(它)
 * {his}(它的); {animal}(小猫) {a_animal}(一只小猫) {a_adj_animal}; {place}(森林)
 * {at_place}(森林里) {in_place}(在森林里); {object} {color_object}; {food}; {friend}
 * (小狗乐乐 at first, then 乐乐) {fhe}.
 *
 * The same rules as the English templates: intros name the hero and the animal,
 * endings carry keywords that `endingSentiment` knows (open ones only open markers:
 * 也许, 明天, 不知道, a final question), speech is one sentence in “…” after
 * 说：, only dialogue templates contain quotes, and `~` marks endings in which
 * nobody helps (used only when no friend has appeared).
 */
import type { ProblemTemplates, StoryTemplates } from '../language';

const TIME = '[有一天|一天早上|一天下午|一个晴天|一天晚上|这一天]';
const THEN = '[||然后，|于是，|接着，]';
const AT_LAST = '[最后，|后来，|终于，]';
const NAMED = '[名叫|叫]';
const SAID = '[说|大声说|小声说|轻轻地说]';
const MAYBE = '[也许|可能]';

const intro = [
  `从前，[有|住着]{a_adj_animal}，${NAMED}{name}。`,
  '{name}是{a_adj_animal}，[住在|生活在]{at_place}。',
  `很久很久以前，{at_place}住着{a_adj_animal}，${NAMED}{name}。`,
  '{at_place}有{a_adj_animal}，它的名字叫{name}。',
  '[每天|每天早上|每天下午]，{animal}{name}都在{at_place}[玩|唱歌|跳舞|散步]。',
  '{animal}{name}和[妈妈|爸爸|奶奶|爷爷|家人]一起住在{at_place}。',
  '这是一个关于{a_adj_animal}的故事，它[名叫|叫]{name}。',
  '{name}是{a_adj_animal}，它[很爱唱歌|跑得很快|有一颗善良的心|非常聪明]。',
];

const setting = [
  '{name}最喜欢在{at_place}[玩|跑步|唱歌|画画]。',
  '{name}有一个{color_object}，它每天都[玩|带着]。',
  '{name}的[好朋友|朋友]是{friend}。',
  '[每天早上|每天]，{name}都要吃一些{food}。',
  '{name}住在一个[小小的|漂亮的]房子里，房子有一扇[红色|蓝色|绿色]的门。',
  '{name}[很善良|很聪明|有点害羞|很勇敢]，大家都[喜欢|认识]它。',
  '{name}常常和{friend}一起[玩捉迷藏|跳绳|玩皮球]。',
  '{name}最爱吃的东西是{food}。',
];

const feeling = [
  '{name}[很着急|很担心|有点慌]，[不知道该怎么办|急得团团转]。',
  '{name}坐下来，[想了想|叹了口气|想了很久]。',
  '可是{name}没有放弃。',
];

const lost: ProblemTemplates = {
  introProblem: [
    `${TIME}，{animal}{name}{in_place}弄丢了自己的{color_object}。`,
    '{animal}{name}[怎么也|到处都]找不到自己的{color_object}了。',
  ],
  problem: [
    `${TIME}，{name}的{color_object}[不见了|找不到了]。`,
    `${TIME}，{name}[找了半天|到处找]，也没有找到它的{color_object}。`,
    `${TIME}，{name}把{color_object}忘在了{at_place}，回去一看，已经不见了。`,
  ],
  attempt: [
    `${THEN}{name}在[床底下|门后面|草丛里|大石头下面]找了又找。`,
    `${THEN}{name}{in_place}找了[一整天|很久很久]。`,
    `${THEN}{name}去问{friend}[有没有看见|能不能帮忙]。`,
    '大家[一起|到处]帮它找。',
  ],
  dialogue: [
    '{name}着急地问：“我的{object}在哪里呀？”',
    '{name}问{friend}：“你看见我的{color_object}了吗？”',
    `{friend}${SAID}：“别着急，我帮你找。”`,
    `{friend}${SAID}：“我们去[大树下|河边|草地上]看看吧！”`,
  ],
  ending: {
    happy: [
      `${AT_LAST}{name}在[树下|草地上|桌子下面|床底下]找到了{object}，[高兴得笑了|开心极了|高兴得跳了起来]。`,
      '{friend}帮它找到了{object}，{name}[开心极了|非常高兴]。',
      '原来{object}就在[床底下|花园里|盒子里]，{name}[开心地笑了|高兴极了]。',
    ],
    sad: [
      '{name}再也没有找到它的{object}，[难过地哭了|伤心了很久]。',
      '{object}再也找不到了，{name}[很伤心|难过极了]。',
      '[最后|天黑了]，{name}只好回家，心里很难过。',
    ],
    open: [
      '{object}到底去哪里了呢？',
      `${MAYBE}明天{name}就能找到{object}。`,
      '{name}到现在也不知道{object}去哪里了。',
      '{name}还能找到它的{object}吗？',
    ],
  },
};

const stuck: ProblemTemplates = {
  introProblem: ['{animal}{name}爬上了{at_place}的一棵大树，[可是|却]下不来了。'],
  problem: [
    `${TIME}，{name}爬到[大树上|屋顶上|高高的石头上]，[可是|却]下不来了。`,
    `${TIME}，{name}爬得太高，[不敢|没法]下来了。`,
  ],
  attempt: [
    `${THEN}{name}[大声地|一遍又一遍地]喊救命。`,
    '{friend}[听见了|跑过来]，想帮它。',
    '{name}往下一看，[紧紧地抱住了树枝|吓得不敢动]。',
  ],
  dialogue: [
    '{name}[大声|着急地]喊：“救命啊，我下不来了！”',
    `{friend}${SAID}：“别怕，我去拿[梯子|绳子|长棍子]！”`,
    `{friend}${SAID}：“[慢慢下来|跳下来吧]，我会接住你！”`,
  ],
  ending: {
    happy: [
      '{friend}帮{name}下来了，它们[开心地笑了|高兴地抱在一起]。',
      `${AT_LAST}{name}[慢慢地|一步一步地]爬了下来，[高兴得跳了起来|开心极了]。`,
    ],
    sad: [
      '{name}[不小心|一下子]摔了下来，[疼得哭了|伤心地哭了]。',
      '~没有人来帮忙，{name}在上面[难过地哭了|伤心了一整夜]。',
    ],
    open: [
      '{name}还在上面，不知道该怎么下来。',
      '会不会有人来帮{name}呢？',
      `${MAYBE}{name}很快就能想到办法下来。`,
    ],
  },
};

const rain: ProblemTemplates = {
  introProblem: ['{animal}{name}想去{at_place}玩，可是[下起了大雨|雨一直下]。'],
  problem: [
    `${TIME}，[下起了大雨|雨下个不停]，{name}不能出去玩了。`,
    `${TIME}，天上来了很多乌云，{at_place}下起了雨。`,
    `${TIME}，[刮起了大风|打起了雷]，{name}只好待在家里。`,
  ],
  attempt: [
    `${THEN}{name}坐在窗前[看雨|听雨声]。`,
    `${THEN}{name}想[看书|画画|搭积木]，可是[一点也不好玩|总是想着外面]。`,
    '{name}穿上了[雨靴|雨衣]，可是雨太大了。',
  ],
  dialogue: [
    '{name}问：“雨什么时候[停呀|才会停]？”',
    `{friend}${SAID}：“我们在家里玩游戏吧！”`,
    `{name}${SAID}：“我[好想出去玩|不喜欢下雨]。”`,
  ],
  ending: {
    happy: [
      '[后来|过了一会儿]，太阳出来了，{name}[开开心心地|高高兴兴地]跑出去玩了。',
      '{name}和{friend}在家里玩了一整天，[玩得很开心|开心极了]。',
      '雨停了，{name}在水坑里跳来跳去，[哈哈大笑|开心地笑了]。',
    ],
    sad: [
      '雨一直下，{name}[一个人|孤单地]坐着，心里很难过。',
      '{name}一整天都[没能出门|待在家里]，[难过地哭了|很伤心]。',
    ],
    open: [
      '{name}看着天空想：明天会不会是晴天呢？',
      `${MAYBE}明天太阳就会出来。`,
      '这场雨什么时候才会停呢？',
    ],
  },
};

const hungry: ProblemTemplates = {
  introProblem: [
    '{animal}{name}饿了，它看见[树上|高高的架子上]有一些{food}。',
    `${TIME}，{animal}{name}想吃{food}，可是{food}太高了。`,
  ],
  problem: [
    `${TIME}，{name}肚子饿了，可是{food}都挂在[高高的树上|高高的架子上]。`,
    '{name}看见[树上|架子上]有{food}，可是太高了，[够不着|拿不到]。',
    `${TIME}，{name}想吃{food}，可是{food}太高了，[够不着|拿不到]。`,
  ],
  attempt: [
    `${THEN}{name}跳了又跳，还是够不着。`,
    `${THEN}{name}想爬上去，可是[摔了下来|滑了下来]。`,
    `${THEN}{name}站在[箱子|椅子|石头]上，还是太高了。`,
    '{name}{in_place}到处找{food}。',
  ],
  dialogue: [
    `{name}${SAID}：“我好饿呀！”`,
    '{name}问：“谁能帮我拿到{food}？”',
    `{friend}${SAID}：“站到我的背上试试吧！”`,
  ],
  ending: {
    happy: [
      '{friend}帮{name}拿到了{food}，它们一起[吃得很开心|开心地吃了起来]。',
      `${AT_LAST}{name}拿到了{food}，[高兴得跳了起来|开心极了]。`,
      '{name}找到了一大篮{food}，[高兴地笑了|开心极了]。',
    ],
    sad: [
      '{name}没有吃到{food}，饿着肚子[难过地回家了|伤心地睡了]。',
      '{food}还挂在上面，{name}[难过地走开了|伤心地哭了]。',
    ],
    open: [
      '{name}看着{food}，[想着明天该怎么办|不知道该怎么办]。',
      `${MAYBE}明天{name}就能想出办法拿到{food}。`,
      '{name}能拿到{food}吗？',
    ],
  },
};

const dark: ProblemTemplates = {
  introProblem: [
    '{animal}{name}[很怕黑|最怕黑夜]。',
    '一天夜里，{animal}{name}听见[外面|窗外]有奇怪的声音。',
  ],
  problem: [
    '[晚上|每天晚上]，{name}一个人在家，[有点害怕|很害怕]。',
    '一天夜里，{name}听见[外面|床底下|窗外]有奇怪的声音，[有点害怕|吓了一跳]。',
    '一天晚上，灯突然灭了，{name}什么也看不见了。',
  ],
  attempt: [
    `${THEN}{name}[躲进了被子里|把头蒙在被子里]。`,
    `${THEN}{name}打开了[小灯|手电筒]。`,
    '{name}拿着[小灯|手电筒]，走到[窗前|门口]去看。',
  ],
  dialogue: [
    '{name}小声问：“是谁在外面？”',
    `{friend}${SAID}：“别怕，是我呀！”`,
    `{friend}${SAID}：“别担心，我在这里陪你。”`,
  ],
  ending: {
    happy: [
      '原来只是风声，{name}[笑了|放心了]，[安心地|很快就]睡着了。',
      '{friend}陪着{name}，它一点也不怕了，[开心地睡着了|心里很高兴]。',
      '灯又亮了，{name}[高兴地笑了|开心极了]。',
    ],
    sad: [
      '{name}怕得一夜没睡，[伤心地哭了|哭到了天亮]。',
      '{name}[一个人|孤单地]在黑暗里，又害怕又难过。',
    ],
    open: [
      '{name}到现在也不知道那是什么声音。',
      `${MAYBE}那个声音明天晚上还会来。`,
      '那到底是什么声音呢？',
    ],
  },
};

const broken: ProblemTemplates = {
  introProblem: [
    `${TIME}，{animal}{name}不小心把{color_object}弄坏了。`,
    '{animal}{name}玩{color_object}的时候太用力，把它弄坏了。',
  ],
  problem: [
    `${TIME}，{name}不小心把{color_object}弄坏了。`,
    `${TIME}，{name}的{color_object}从[桌子上|架子上]掉下来，摔坏了。`,
    '{name}玩{color_object}玩得太用力，把它弄坏了。',
  ],
  attempt: [
    `${THEN}{name}想用[胶水|胶带|绳子]把它修好。`,
    `${THEN}{name}把坏掉的{object}[放进了盒子里|放在桌子上]。`,
    '{name}把坏掉的{object}拿给{friend}看。',
  ],
  dialogue: [
    '{name}[着急地|大声]说：“我的{object}坏了！”',
    `{friend}${SAID}：“别担心，我们一起修吧。”`,
    '{name}问：“你有[胶水|胶带]吗？”',
  ],
  ending: {
    happy: [
      '它们一起修好了{object}，{name}[高兴地笑了|开心极了]。',
      `${AT_LAST}{object}又能用了，{name}[非常高兴|开心地跳了起来]。`,
      '{friend}送给{name}一个新的{object}，{name}[开心地抱住了它|高兴极了]。',
    ],
    sad: [
      '{object}修不好了，{name}[难过地哭了|伤心了很久]。',
      '{name}把坏掉的{object}收了起来，[难过了很久|心里很伤心]。',
    ],
    open: [
      '{name}不知道{object}还能不能修好。',
      `${MAYBE}明天有人能修好{object}。`,
      '{object}还能修好吗？',
    ],
  },
};

const lostWay: ProblemTemplates = {
  introProblem: [
    '{animal}{name}{in_place}散步，[走着走着|不知不觉]就迷路了。',
    `${TIME}，{animal}{name}走得太远，找不到回家的路了。`,
  ],
  problem: [
    `${TIME}，{name}{in_place}走得太远，迷路了。`,
    `${TIME}，{name}[跟着一只蝴蝶|追着一片树叶]走啊走，[找不到回家的路了|迷路了]。`,
    '{name}一个人去了{place}，很快就迷路了。',
  ],
  attempt: [
    `${THEN}{name}走啊走，可是每条路都一样。`,
    `${THEN}{name}爬上小山，想看看家在哪里。`,
    '{name}沿着一条小河往前走。',
  ],
  dialogue: [
    `{name}${SAID}：“我迷路了。”`,
    '{name}问：“回家的路在哪里？”',
    `{friend}${SAID}：“跟我来，我认识路。”`,
  ],
  ending: {
    happy: [
      `${AT_LAST}{name}看见了自己的家，[开开心心地|高高兴兴地]跑了回去。`,
      '{friend}带{name}回到了家，妈妈抱住了它，大家都很高兴。',
      '天黑以前，{name}[平安地|终于]回到了家，心里[很高兴|很开心]。',
    ],
    sad: [
      '天黑了，{name}还是找不到家，坐在树下[哭了|伤心地哭了]。',
      '{name}[一个人|孤单地]坐在路边，[又冷又难过|难过极了]。',
    ],
    open: [
      '{name}还在往前走，不知道能不能找到家。',
      `${MAYBE}明天{name}就能找到回家的路。`,
      '{name}能在天黑以前回到家吗？',
    ],
  },
};

const lonely: ProblemTemplates = {
  introProblem: [
    '{animal}{name}刚搬到{at_place}，一个朋友也没有。',
    '[从前|有一天]，{animal}{name}没有人陪它玩。',
  ],
  problem: [
    '{name}刚搬到{at_place}，一个朋友也没有。',
    '{name}[没有朋友|没有人]陪它玩。',
    '大家都不和{name}玩。',
  ],
  attempt: [
    `${THEN}{name}坐在[树下|河边|路边]，看着别人玩。`,
    `${THEN}{name}看见{friend}在[玩皮球|河边玩|草地上跑]。`,
    '{name}很想去打招呼，可是有点害羞。',
  ],
  dialogue: [
    '{name}小声问：“我可以和你一起玩吗？”',
    `{name}${SAID}：“你好，我是新来的。”`,
    `{friend}${SAID}：“当然可以，快来吧！”`,
  ],
  ending: {
    happy: [
      '从那天起，{name}和{friend}成了好朋友，每天都玩得很开心。',
      '{name}再也不孤单了，它每天都[很快乐|很开心]。',
      '{friend}请{name}一起玩，{name}[开心地笑了|高兴极了]。',
    ],
    sad: [
      '~没有人和{name}玩，它只好一个人回家，心里很孤单。',
      '~{name}一个人坐到天黑，[难过极了|伤心地哭了]。',
    ],
    open: [
      '明天{name}会交到新朋友吗？',
      `${MAYBE}明天{name}就能找到朋友。`,
      '{name}不知道{friend}明天还会不会来。',
    ],
  },
};

const race: ProblemTemplates = {
  introProblem: [
    '{animal}{name}很想在{at_place}的跑步比赛中得第一名。',
    '[从前|有一天]，{animal}{name}想成为跑得最快的。',
  ],
  problem: [
    '{at_place}要举行跑步比赛，{name}很想得第一名。',
    `${TIME}，大家要比赛跑步，{name}想跑得最快。`,
    '大家都说{name}跑得太慢，赢不了比赛。',
  ],
  attempt: [
    `${THEN}{name}每天早上都去练习跑步。`,
    '比赛那天，{name}用最快的速度往前跑。',
    '跑到一半，{name}被石头绊了一下。',
  ],
  dialogue: [
    `{name}${SAID}：“我一定会赢！”`,
    `{friend}${SAID}：“加油！”`,
    '{friend}大声喊：“{name}，加油！”',
  ],
  ending: {
    happy: [
      '{name}得了第一名，大家都为它欢呼，它[开心极了|高兴地笑了]。',
      '{name}虽然没有得第一，可是跑得很开心。',
      '{name}第一个跑到终点，高兴得跳了起来。',
    ],
    sad: [
      '{name}跑了最后一名，[难过地哭了|伤心地回家了]。',
      '{name}摔倒了，没能跑完，心里很难过。',
    ],
    open: [`${MAYBE}明年{name}就能得第一名。`, '下一次谁会赢呢？', '{name}下次还会再来比赛吗？'],
  },
};

const sick: ProblemTemplates = {
  introProblem: [
    '{animal}{name}很担心，因为它的朋友{friend}生病了。',
    `${TIME}，{animal}{name}听说{friend}生病了。`,
  ],
  problem: [
    `${TIME}，{friend}生病了，不能出来玩。`,
    '{friend}[感冒了|发烧了]，只能躺在床上。',
    `${TIME}，{name}听说{friend}生病了。`,
  ],
  attempt: [
    `${THEN}{name}给{friend}做了一张卡片。`,
    `${THEN}{name}{in_place}采了一些花。`,
    '{name}给{friend}送去了一些{food}。',
  ],
  dialogue: [`{name}${SAID}：“希望你快点好起来。”`, `{friend}${SAID}：“谢谢你来看我。”`],
  ending: {
    happy: [
      '没过几天，{friend}的病好了，它们又[开开心心地|高高兴兴地]一起玩了。',
      '{friend}好了，它们一起玩了一整天，[开心极了|快乐极了]。',
    ],
    sad: [
      '{friend}的病还没有好，{name}[很难过|很伤心]。',
      '{friend}要去很远的地方看病，{name}[伤心地哭了|难过极了]。',
    ],
    open: [
      '{name}坐在窗前，不知道{friend}什么时候才能好起来。',
      `${MAYBE}明天{friend}就能出来玩了。`,
      '{friend}什么时候才能好起来呢？',
    ],
  },
};

const closing = {
  happy: [
    '这真是[最快乐的一天|快乐的一天]。',
    '那天晚上，{name}[开开心心地|高高兴兴地]睡着了。',
    '{name}[一整天都|心里]很开心。',
    '从此以后，它们[过得很幸福|每天都很快乐]。',
  ],
  sad: [
    '这真是[难过的一天|伤心的一天]。',
    '那天晚上，{name}[偷偷地|小声地]哭了。',
    '{name}难过了很久很久。',
  ],
  open: [
    '[接下来会发生什么呢|后来会怎么样呢]？',
    `${MAYBE}明天会不一样。`,
    '谁知道明天会发生什么呢？',
  ],
};

export const TEMPLATES: StoryTemplates = {
  intro,
  setting,
  feeling,
  problems: { lost, stuck, rain, hungry, dark, broken, lostWay, lonely, race, sick },
  closing,
};
