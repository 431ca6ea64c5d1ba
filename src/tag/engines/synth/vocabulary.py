"""Word lists: what English and Russian words mean to the synth engine.

Words are stored as stems; ``parser.stem_candidates`` strips common endings from
the prompt's words before looking them up, so "raining", "rains", "дождя" and
"дождём" all find "rain" / "дожд".  A phrase is a tuple of stems that must
appear in a row; the longest phrase wins.
"""

from __future__ import annotations

# (phrase, sources, implied parameters).  Sources joined by "+" make several events.
SOURCE_PHRASES: list[tuple[str, str, dict[str, object]]] = [
    # weather
    ("rain", "rain", {}), ("rainfall", "rain", {}), ("raindrop", "rain", {}), ("shower", "rain", {}),
    ("drizzle", "rain", {"density": 0.35}), ("downpour", "rain", {"density": 2.5}),
    ("дожд", "rain", {}), ("дождик", "rain", {"density": 0.5}), ("ливен", "rain", {"density": 2.5}),
    ("ливн", "rain", {"density": 2.5}),
    ("морос", "rain", {"density": 0.35}), ("капл дожд", "rain", {}),
    ("wind", "wind", {}), ("breeze", "wind", {"density": 0.5}), ("gust", "wind", {}),
    ("gale", "wind", {"density": 2.2}),
    ("storm", "rain+wind+thunder", {"density": 1.6}), ("thunderstorm", "rain+thunder", {}),
    ("ветер", "wind", {}), ("ветр", "wind", {}), ("ветерок", "wind", {"density": 0.5}),
    ("ветерк", "wind", {"density": 0.5}),
    ("бур", "rain+wind+thunder", {"density": 1.6}), ("вьюг", "wind", {"density": 2.0}),
    ("метел", "wind", {"density": 2.0}),
    ("гроз", "rain+thunder", {}),
    ("thunder", "thunder", {}), ("thunderclap", "thunder", {"distance": 0.7}),
    ("lightning", "thunder", {"distance": 0.7}),
    ("гром", "thunder", {}), ("раскат", "thunder", {}), ("молни", "thunder", {"distance": 0.7}),
    # water
    ("sea", "sea", {}), ("ocean", "sea", {}), ("wave", "sea", {}), ("surf", "sea", {}), ("beach", "sea", {}),
    ("shore", "sea", {}),
    ("мор", "sea", {}), ("океан", "sea", {}), ("волн", "sea", {}), ("прибой", "sea", {}), ("прибо", "sea", {}),
    ("пляж", "sea", {}),
    ("stream", "stream", {}), ("brook", "stream", {}), ("creek", "stream", {}), ("river", "stream", {"density": 1.6}),
    ("babbl", "stream", {}),
    ("ручей", "stream", {}), ("руч", "stream", {}), ("ручеек", "stream", {}), ("рек", "stream", {"density": 1.6}),
    ("журчани", "stream", {}), ("журч", "stream", {}),
    ("drip", "drip", {}), ("droplet", "drip", {}), ("leak", "drip", {}), ("faucet", "drip", {}),
    ("tap drip", "drip", {}),
    ("кап", "drip", {}), ("капл", "drip", {}), ("капань", "drip", {}), ("капел", "drip", {}),
    # nature
    ("fire", "fire", {}), ("campfire", "fire", {}), ("bonfire", "fire", {}), ("fireplace", "fire", {}),
    ("crackle", "fire", {}), ("crackl", "fire", {}),
    ("огон", "fire", {}), ("огн", "fire", {}), ("костер", "fire", {}), ("костр", "fire", {}), ("камин", "fire", {}),
    ("трес", "fire", {}), ("треск", "fire", {}), ("трещ", "fire", {}),
    ("bird", "birds", {}), ("birdsong", "birds", {}), ("chirp", "birds", {}), ("tweet", "birds", {}),
    ("songbird", "birds", {}), ("sparrow", "birds", {}), ("nightingale", "birds", {}),
    ("птиц", "birds", {}), ("птич", "birds", {}), ("щебет", "birds", {}), ("щебетани", "birds", {}),
    ("соловей", "birds", {}), ("солов", "birds", {}), ("воробей", "birds", {}),
    ("cricket", "crickets", {}), ("cicada", "crickets", {}), ("сверчок", "crickets", {}), ("сверчк", "crickets", {}),
    ("цикад", "crickets", {}), ("стрекот", "crickets", {}),
    ("frog", "frogs", {}), ("toad", "frogs", {}), ("croak", "frogs", {}), ("ribbit", "frogs", {}),
    ("лягушк", "frogs", {}), ("лягушек", "frogs", {}), ("жаб", "frogs", {}), ("ква", "frogs", {}),
    ("кваканье", "frogs", {}), ("квакань", "frogs", {}),
    ("dog", "dog", {}), ("bark", "dog", {}), ("woof", "dog", {}), ("puppy", "dog", {}),
    ("собак", "dog", {}), ("пес", "dog", {}), ("лай", "dog", {}), ("лает", "dog", {}), ("лают", "dog", {}),
    ("лаял", "dog", {}), ("гав", "dog", {}),
    ("canter", "horse_gallop", {"tempo": 0.75}), ("horse canter", "horse_gallop", {"tempo": 0.75}),
    ("canter horse", "horse_gallop", {"tempo": 0.75}), ("кентер", "horse_gallop", {"tempo": 0.75}),
    # household
    ("clock", "clock", {}), ("tick", "clock", {}), ("tock", "clock", {}), ("tick tock", "clock", {}),
    ("tick-tock", "clock", {}),
    ("час", "clock", {}), ("тик", "clock", {}), ("тика", "clock", {}), ("тикань", "clock", {}),
    ("тикан", "clock", {}), ("тик-так", "clock", {}),
    ("knock", "knock", {}), ("door knock", "knock", {}), ("rap", "knock", {}),
    ("стук", "knock", {}), ("стуч", "knock", {}), ("постукивани", "knock", {}),
    ("typing", "typing", {}), ("type", "typing", {}), ("keyboard", "typing", {}), ("typewriter", "typewriter", {}),
    ("keystroke", "typing", {}),
    ("клавиатур", "typing", {}), ("печат", "typing", {}), ("набор текст", "typing", {}), ("клавиш", "typing", {}),
    ("creak", "door_creak", {}), ("squeak", "door_creak", {"pitch": 1.5}), ("hinge", "door_creak", {}),
    ("скрип", "door_creak", {}), ("скрипи", "door_creak", {}),
    # bells
    ("bell", "church_bell", {}), ("church bell", "church_bell", {}), ("toll", "church_bell", {}),
    ("chime", "doorbell", {}),
    ("колокол", "church_bell", {}), ("колокольн", "church_bell", {}), ("звон колокол", "church_bell", {}),
    ("благовест", "church_bell", {}),
    ("doorbell", "doorbell", {}), ("door bell", "doorbell", {}), ("ding dong", "doorbell", {}),
    ("ding-dong", "doorbell", {}),
    ("дверн звонок", "doorbell", {}), ("звонок в двер", "doorbell", {}), ("динь-дон", "doorbell", {}),
    # people
    ("footstep", "footsteps", {}), ("step", "footsteps", {}), ("walk", "footsteps", {}),
    ("run", "footsteps", {"variant": "running"}),
    ("jog", "footsteps", {"variant": "running"}),
    ("шаг", "footsteps", {}), ("ходьб", "footsteps", {}), ("бег", "footsteps", {"variant": "running"}),
    ("топот", "footsteps", {"variant": "running"}),
    ("heartbeat", "heartbeat", {}), ("heart", "heartbeat", {}), ("heart beat", "heartbeat", {}),
    ("pulse", "heartbeat", {}),
    ("сердц", "heartbeat", {}), ("сердцебиени", "heartbeat", {}), ("пульс", "heartbeat", {}),
    ("стук сердц", "heartbeat", {}),
    ("applause", "applause", {}), ("applaud", "applause", {}), ("clap", "applause", {}), ("clapping", "applause", {}),
    ("ovation", "applause", {"density": 2.0}),
    ("аплодисмент", "applause", {}), ("овац", "applause", {"density": 2.0}), ("хлоп", "applause", {}),
    ("рукоплескани", "applause", {}),
    ("crowd", "crowd", {}), ("murmur", "crowd", {}), ("chatter", "crowd", {}), ("people talk", "crowd", {}),
    ("толп", "crowd", {}), ("гомон", "crowd", {}), ("гам", "crowd", {}), ("говор", "crowd", {}),
    ("болтовн", "crowd", {}), ("бормотани", "crowd", {}),
    # vehicles and machines
    ("car", "car", {}), ("engine", "car", {}), ("car engine", "car", {}), ("vehicle", "car", {}),
    ("truck", "truck", {}), ("rev", "car", {"tempo": 1.8}), ("traffic", "traffic", {}),
    ("машин", "car", {}), ("автомобил", "car", {}), ("мотор", "car", {}), ("двигател", "car", {}),
    ("грузовик", "truck", {}),
    ("motorbike", "motorbike", {}), ("motorcycle", "motorbike", {}), ("motorcycl", "motorbike", {}),
    ("scooter", "motorbike", {}),
    ("мотоцикл", "motorbike", {}), ("байк", "motorbike", {}), ("мопед", "motorbike", {}),
    ("train", "train", {}), ("railway", "train", {}), ("locomotive", "train", {}), ("clickety", "train", {}),
    ("track", "train", {}), ("rail", "train", {}), ("tram", "tram", {}),
    ("train horn", "train", {"variant": "horn"}), ("train whistle", "train", {"variant": "horn"}),
    ("гудок поезд", "train", {"variant": "horn"}),
    ("паровоз", "train", {"variant": "horn"}), ("steam train", "train", {"variant": "horn"}),
    ("поезд", "train", {}), ("электричк", "train", {}), ("рельс", "train", {}), ("вагон", "train", {}),
    ("трамва", "tram", {}),
    ("aeroplane", "aeroplane", {}), ("airplane", "aeroplane", {}), ("plane", "aeroplane", {}),
    ("aircraft", "aeroplane", {}), ("jet", "aeroplane", {}), ("propeller", "aeroplane", {}),
    ("самолет", "aeroplane", {}), ("самолёт", "aeroplane", {}), ("авиалайнер", "aeroplane", {}),
    ("пропеллер", "aeroplane", {}),
    ("engine hum", "engine_hum", {}), ("machine hum", "engine_hum", {}), ("machinery", "engine_hum", {}),
    ("generator", "engine_hum", {}), ("drone", "engine_hum", {}),
    ("гул мотор", "engine_hum", {}), ("гул двигател", "engine_hum", {}), ("гул машин", "engine_hum", {}),
    ("генератор", "engine_hum", {}),
    ("helicopter", "helicopter", {}), ("chopper", "helicopter", {}), ("вертолет", "helicopter", {}),
    ("fridge", "refrigerator", {}), ("refrigerator", "refrigerator", {}),
    ("transformer", "hum", {"freq": 100.0}),
    ("холодильник", "refrigerator", {}), ("трансформатор", "hum", {"freq": 100.0}),
    ("fan", "fan", {}), ("air conditioner", "air_conditioner", {}),
    ("вентилятор", "fan", {}),
    ("кондиционер", "air_conditioner", {}),
    # more household and creatures
    ("glass", "glass", {}), ("shatter", "glass", {}), ("smash", "glass", {}), ("стекл", "glass", {}),
    ("осколк", "glass", {}), ("звон стекл", "glass", {}),
    ("cat", "cat", {}), ("kitten", "cat", {}), ("meow", "cat", {}), ("miaow", "cat", {}),
    ("кошк", "cat", {}), ("кот", "cat", {}), ("котенок", "cat", {}), ("мяу", "cat", {}), ("мяука", "cat", {}),
    ("мяуканье", "cat", {}),
    ("gunshot", "gunshot", {}), ("gun", "gunshot", {}), ("shot", "gunshot", {}), ("gunfire", "gunshot", {"count": 6}),
    ("pistol", "gunshot", {}), ("rifle", "gunshot", {}),
    ("выстрел", "gunshot", {}), ("стрельб", "gunshot", {"count": 6}), ("пистолет", "gunshot", {}),
    ("ружь", "gunshot", {}), ("ружье", "gunshot", {}),
    ("kettle", "kettle_whistle", {}), ("чайник", "kettle_whistle", {}),
    # signals
    ("tone", "tone", {}), ("sine", "tone", {}), ("sinewave", "tone", {}), ("whistle", "tone", {"pitch": 4.0}),
    ("тон", "tone", {}), ("синус", "tone", {}), ("синусоид", "tone", {}),
    ("beep", "beep", {}), ("bleep", "beep", {}), ("pip", "beep", {}), ("писк", "beep", {}), ("пик", "beep", {}),
    ("бип", "beep", {}),
    ("hum", "hum", {}), ("buzz", "hum", {"pitch": 2.0}), ("mains", "hum", {}),
    ("гул", "hum", {}), ("гуден", "hum", {}), ("гудени", "hum", {}), ("жужжани", "hum", {"pitch": 2.0}),
    ("фон сет", "hum", {}),
    ("dial tone", "dial_tone", {}), ("dialtone", "dial_tone", {}), ("dialing tone", "dial_tone", {}),
    ("dialling tone", "dial_tone", {}),
    ("гудок", "dial_tone", {"variant": "european"}), ("гудк", "dial_tone", {"variant": "european"}),
    ("длинн гудк", "dial_tone", {"variant": "european"}), ("длинн гудок", "dial_tone", {"variant": "european"}),
    ("busy tone", "busy_tone", {}), ("busy signal", "busy_tone", {}),
    ("engaged tone", "busy_tone", {"variant": "european"}),
    ("коротк гудк", "busy_tone", {"variant": "european"}), ("сигнал занят", "busy_tone", {"variant": "european"}),
    ("занят", "busy_tone", {"variant": "european"}),
    ("phone", "phone_ring", {}), ("telephone", "phone_ring", {}), ("ring", "phone_ring", {}),
    ("phone ring", "phone_ring", {}),
    ("телефон", "phone_ring", {}), ("звонок", "phone_ring", {}), ("звонк", "phone_ring", {}),
    ("звон", "church_bell", {}), ("звен", "church_bell", {}), ("звенит", "church_bell", {}),
    ("звонок телефон", "phone_ring", {}),
    ("alarm", "alarm_clock", {}), ("alarm clock", "alarm_clock", {}), ("будильник", "alarm_clock", {}),
    ("будильнк", "alarm_clock", {}),
    ("siren", "siren", {}), ("police", "siren", {"variant": "yelp"}), ("ambulance", "siren", {}),
    ("fire engine", "siren", {}),
    ("сирен", "siren", {}), ("скор помощ", "siren", {}), ("полиц", "siren", {"variant": "yelp"}),
    ("мигалк", "siren", {}), ("тревог", "siren", {}),
    # noise
    ("white noise", "white_noise", {}), ("static", "white_noise", {}), ("hiss", "white_noise", {}),
    ("бел шум", "white_noise", {}), ("шипени", "white_noise", {}),
    ("pink noise", "pink_noise", {}), ("розов шум", "pink_noise", {}),
    ("brown noise", "brown_noise", {}), ("red noise", "brown_noise", {}), ("brownian noise", "brown_noise", {}),
    ("коричнев шум", "brown_noise", {}), ("красн шум", "brown_noise", {}),
    # effects
    ("whoosh", "whoosh", {}), ("swoosh", "whoosh", {}), ("swish", "whoosh", {}), ("woosh", "whoosh", {}),
    ("swoop", "whoosh", {}),
    ("вжух", "whoosh", {}), ("взмах", "whoosh", {}), ("шорох", "whoosh", {"pitch": 1.5}),
    ("explosion", "explosion", {}), ("explode", "explosion", {}), ("blast", "explosion", {}),
    ("bomb", "explosion", {}), ("boom", "explosion", {}), ("detonation", "explosion", {}),
    ("взрыв", "explosion", {}), ("бомб", "explosion", {}), ("бабах", "explosion", {}), ("бум", "explosion", {}),
    ("laser", "laser", {}), ("zap", "laser", {}), ("blaster", "laser", {}), ("pew", "laser", {}),
    ("raygun", "laser", {}),
    ("лазер", "laser", {}), ("бластер", "laser", {}), ("выстрел лазер", "laser", {}),
    ("coin", "coin", {}), ("pickup", "coin", {}), ("pick-up", "coin", {}),
    ("монет", "coin", {}), ("монетк", "coin", {}), ("бонус", "coin", {}),
    ("sos", "morse", {"variant": "sos"}), ("сос", "morse", {"variant": "sos"}),
    # everyday words for sounds other lists name differently
    ("беж", "footsteps", {"variant": "running"}), ("бег", "footsteps", {"variant": "running"}),
    ("аплодир", "applause", {}), ("собачк", "dog", {"pitch": 1.5}), ("тявка", "dog", {"pitch": 1.6}),
    ("тявк", "dog", {"pitch": 1.6}), ("кузнечик", "crickets", {}), ("кузнечк", "crickets", {}),
    ("grasshopper", "crickets", {}), ("воробь", "birds", {}), ("чирика", "birds", {}), ("чирик", "birds", {}),
    ("пожар", "fire", {"density": 2.0}), ("wildfire", "fire", {"density": 2.0}), ("слив", "toilet_flush", {}),
    ("туалет", "toilet_flush", {}), ("набира ванн", "shower", {}), ("bath fill", "shower", {}),
    ("автомобильн сигнал", "car_horn", {}), ("сигнал автомобил", "car_horn", {}),
    ("авари", "metal_clang+glass", {}), ("car crash", "metal_clang+glass", {}), ("crash car", "metal_clang+glass", {}),
    ("электрогитар", "guitar", {}), ("electric guitar", "guitar", {}), ("барабанн дроб", "drums", {}),
    ("барабанн", "drums", {}), ("drum roll", "drums", {}), ("колокольчик", "church_bell", {"pitch": 3.0}),
    ("колокольчк", "church_bell", {"pitch": 3.0}), ("handbell", "church_bell", {"pitch": 3.0}),
    ("small bell", "church_bell", {"pitch": 3.0}), ("свуш", "whoosh", {}),
    ("автомат", "machine_gun", {}), ("автоматн очеред", "machine_gun", {}), ("очеред из автомат", "machine_gun", {}),
    ("сигнализаци", "siren", {"variant": "yelp"}), ("car alarm", "siren", {"variant": "yelp"}),
    ("burglar alarm", "siren", {"variant": "yelp"}), ("slurp", "gulping", {}), ("хлюп", "gulping", {}),
    ("скрип снег", "footsteps", {"surface": "snow"}), ("snow crunch", "footsteps", {"surface": "snow"}),
    ("застегива молни", "zipper", {}), ("застегива молни на куртк", "zipper", {}), ("расстегива молни", "zipper", {}),
    ("пароходн гудок", "ship_horn", {}), ("гудок пароход", "ship_horn", {}), ("гудок корабл", "ship_horn", {}),
    ("fire alarm", "siren", {"variant": "yelp"}), ("smoke alarm", "beep", {"freq": 3100.0}),
    ("laser blast", "laser", {}), ("buzz fly", "fly", {}), ("keys rattl", "keys_jingling", {}),
    ("key in lock", "keys_jingling", {}), ("keys in lock", "keys_jingling", {}), ("bus stop", "truck", {}),
    ("city bus", "truck", {}), ("school bus", "truck", {}), ("electric toothbrush", "hair_dryer", {"pitch": 2.0}),
    ("tire screech", "tyre_screech", {}), ("tyre screech", "tyre_screech", {}), ("screech tire", "tyre_screech", {}),
    ("screech tyre", "tyre_screech", {}), ("brakes screech", "tyre_screech", {}), ("визг шин", "tyre_screech", {}),
    ("визг тормоз", "tyre_screech", {}), ("скрип тормоз", "tyre_screech", {}),
]

# Alone these name a sound ("noise" is white noise, "water" a brook); next to
# another source they only mean "the sound of".
WEAK_SOURCES: dict[str, str] = {
    "noise": "white_noise", "шум": "white_noise", "water": "stream", "вод": "stream", "rumbl": "thunder",
    "rumble": "thunder",
}

# Verbs that several sources share ("bell ringing", "clock ticking"): right after
# a source they describe it instead of adding another one.
VERBS = {
    "meow", "мяука", "break", "разбива", "ring", "tick", "chirp", "crackl", "crackle", "bark", "croak", "creak",
    "hum", "buzz", "beep", "whistle", "hiss", "звон", "звен", "звенит", "тика", "трещ", "гуд", "гул", "свист",
    "шипени", "скрип", "стуч", "тикает", "тикают", "sing", "crow", "howl", "rev",
}

_PASS = {"moving": True, "motion": "pass"}
_APPROACH = {"moving": True, "motion": "approach"}
_RECEDE = {"moving": True, "motion": "recede"}

# stem -> parameter changes.  distance: 1 normal; gain_db relative; others multiply.
MODIFIERS: dict[str, dict[str, object]] = {
    # distance
    "distant": {"distance": 3.0}, "far": {"distance": 3.0}, "faraway": {"distance": 3.0},
    "distance": {"distance": 3.0}, "remote": {"distance": 3.0},
    "background": {"distance": 1.8, "gain_db": -6.0},
    "далек": {"distance": 3.0}, "далеко": {"distance": 3.0}, "вдал": {"distance": 3.0}, "вдалек": {"distance": 3.0},
    "издалек": {"distance": 3.0}, "отдален": {"distance": 3.0},
    "фон": {"distance": 1.8, "gain_db": -6.0}, "фонов": {"distance": 1.8, "gain_db": -6.0},
    "close": {"distance": 0.5}, "near": {"distance": 0.5}, "nearby": {"distance": 0.5}, "closeup": {"distance": 0.5},
    "close-up": {"distance": 0.5},
    "muffl": {"distance": 1.6, "gain_db": -6.0}, "muffle": {"distance": 1.6, "gain_db": -6.0},
    "близк": {"distance": 0.5}, "близ": {"distance": 0.5}, "рядом": {"distance": 0.5}, "вблиз": {"distance": 0.5},
    # loudness
    "loud": {"gain_db": 6.0}, "deafen": {"gain_db": 9.0}, "громк": {"gain_db": 6.0}, "оглушительн": {"gain_db": 9.0},
    "quiet": {"gain_db": -8.0}, "soft": {"gain_db": -8.0}, "faint": {"gain_db": -10.0},
    "gentl": {"gain_db": -4.0, "density": 0.6}, "gentle": {"gain_db": -4.0, "density": 0.6},
    "тих": {"gain_db": -8.0}, "негромк": {"gain_db": -6.0}, "приглушен": {"gain_db": -8.0}, "мягк": {"gain_db": -5.0},
    "calm": {"gain_db": -4.0, "density": 0.5}, "subtl": {"gain_db": -8.0}, "subtle": {"gain_db": -8.0},
    "barely": {"gain_db": -12.0}, "спокойн": {"gain_db": -4.0, "density": 0.5}, "еле": {"gain_db": -12.0},
    "нежн": {"gain_db": -4.0, "density": 0.6},
    # density / strength
    # (strong ones also a little louder, light ones a little quieter, as they are heard)
    "heavy": {"density": 2.2, "gain_db": 2.0}, "strong": {"density": 2.0, "gain_db": 2.0},
    "torrential": {"density": 3.0, "gain_db": 3.0},
    "intense": {"density": 2.0, "gain_db": 2.0}, "dense": {"density": 2.0}, "big": {"density": 1.6},
    "violent": {"density": 2.5, "gain_db": 4.0}, "fierce": {"density": 2.3, "gain_db": 3.0},
    "raging": {"density": 2.5, "gain_db": 4.0}, "powerful": {"density": 2.0, "gain_db": 3.0},
    "huge": {"density": 1.8, "gain_db": 3.0}, "massive": {"density": 1.8, "gain_db": 3.0},
    "сильн": {"density": 2.2, "gain_db": 2.0}, "проливн": {"density": 3.0, "gain_db": 3.0},
    "мощн": {"density": 2.0, "gain_db": 3.0}, "густ": {"density": 2.0},
    "крупн": {"density": 1.6}, "бурн": {"density": 2.0}, "больш": {"density": 1.6},
    "яростн": {"density": 2.5, "gain_db": 4.0}, "огромн": {"density": 1.8, "gain_db": 3.0},
    "light": {"density": 0.4, "gain_db": -3.0}, "weak": {"density": 0.4, "gain_db": -3.0},
    "sparse": {"density": 0.4}, "little": {"density": 0.6},
    "small": {"density": 0.6},
    "легк": {"density": 0.4, "gain_db": -3.0}, "слаб": {"density": 0.4, "gain_db": -3.0},
    "небольш": {"density": 0.6}, "мелк": {"density": 0.5}, "маленьк": {"density": 0.6},
    "редк": {"density": 0.4},
    # how many: ``group`` makes the mixer layer copies of a single-voice source (a dog),
    # ``density`` thickens sources that already are many (birds, rain)
    "many": {"density": 2.0, "group": 4}, "lots": {"density": 2.0, "group": 4},
    "flock": {"density": 2.0, "group": 4}, "crowded": {"density": 2.0, "group": 4},
    "pack": {"density": 2.0, "group": 4}, "herd": {"density": 2.0, "group": 4},
    "swarm": {"density": 2.0, "group": 4}, "numerous": {"density": 2.0, "group": 4},
    "много": {"density": 2.0, "group": 4}, "множеств": {"density": 2.0, "group": 4},
    "стай": {"density": 2.0, "group": 4}, "стая": {"density": 2.0, "group": 4},
    "стад": {"density": 2.0, "group": 4}, "стадо": {"density": 2.0, "group": 4}, "свор": {"density": 2.0, "group": 4},
    "several": {"density": 1.3, "group": 3}, "few": {"density": 0.6, "group": 2},
    "несколько": {"density": 1.3, "group": 3}, "нескольк": {"density": 1.3, "group": 3},
    "мало": {"density": 0.5},
    # tempo
    "fast": {"tempo": 1.7}, "quick": {"tempo": 1.7}, "rapid": {"tempo": 1.8}, "hurri": {"tempo": 1.6},
    "frantic": {"tempo": 2.0},
    "быстр": {"tempo": 1.7}, "част": {"tempo": 1.7}, "тороплив": {"tempo": 1.6},
    "gusty": {"tempo": 1.5}, "порывист": {"tempo": 1.5},
    "slow": {"tempo": 0.6}, "lazy": {"tempo": 0.6}, "leisur": {"tempo": 0.7}, "медлен": {"tempo": 0.6},
    "неспешн": {"tempo": 0.7}, "размерен": {"tempo": 0.8},
    # pitch
    "low": {"pitch": 0.5}, "deep": {"pitch": 0.5}, "bass": {"pitch": 0.5}, "низк": {"pitch": 0.5},
    "глубок": {"pitch": 0.5}, "басов": {"pitch": 0.5}, "глух": {"pitch": 0.6},
    "high": {"pitch": 2.0}, "shrill": {"pitch": 2.0}, "sharp": {"pitch": 1.5}, "высок": {"pitch": 2.0},
    "тонк": {"pitch": 2.0}, "пронзительн": {"pitch": 2.0},
    # surfaces
    "gravel": {"surface": "gravel"}, "pebble": {"surface": "gravel"}, "stone": {"surface": "gravel"},
    "грав": {"surface": "gravel"}, "гравий": {"surface": "gravel"}, "галь": {"surface": "gravel"},
    "щебен": {"surface": "gravel"}, "щебн": {"surface": "gravel"},
    "wood": {"surface": "wood"}, "wooden": {"surface": "wood"}, "floorboard": {"surface": "wood"},
    "parquet": {"surface": "wood"}, "дерев": {"surface": "wood"}, "деревян": {"surface": "wood"},
    "паркет": {"surface": "wood"}, "половиц": {"surface": "wood"},
    "snow": {"surface": "snow"}, "snowy": {"surface": "snow"}, "снег": {"surface": "snow"},
    "снеж": {"surface": "snow"},
    "concrete": {"surface": "concrete"}, "asphalt": {"surface": "concrete"}, "pavement": {"surface": "concrete"},
    "бетон": {"surface": "concrete"}, "асфальт": {"surface": "concrete"},
    # variants
    "european": {"variant": "european"}, "europe": {"variant": "european"}, "russian": {"variant": "european"},
    "европейск": {"variant": "european"}, "русск": {"variant": "european"}, "российск": {"variant": "european"},
    "american": {"variant": "american"}, "us": {"variant": "american"}, "американск": {"variant": "american"},
    "yelp": {"variant": "yelp"}, "wail": {"variant": "wail"},
    "running": {"variant": "running"}, "бегущ": {"variant": "running"},
    # movement (the mixer's motion model: level, Doppler, pan)
    "pass": _PASS, "passing": _PASS, "passes": _PASS, "past": _PASS, "drive-by": _PASS, "flyby": _PASS,
    "fly-by": _PASS, "overhead": _PASS,
    "мимо": _PASS, "проезжа": _PASS, "пролета": _PASS, "проносит": _PASS, "проход": _PASS,
    "approach": _APPROACH, "arriv": _APPROACH, "arrive": _APPROACH, "приближ": _APPROACH, "подъезжа": _APPROACH,
    "подлета": _APPROACH, "надвига": _APPROACH,
    "away": _RECEDE, "reced": _RECEDE, "recede": _RECEDE, "depart": _RECEDE, "удаля": _RECEDE, "уезжа": _RECEDE,
    "улета": _RECEDE, "отдаля": _RECEDE, "уход": _RECEDE,
    # places (the mixer's reverb and ambience bed)
    "cave": {"place": "cave"}, "cavern": {"place": "cave"}, "grotto": {"place": "cave"}, "пещер": {"place": "cave"},
    "грот": {"place": "cave"},
    "hall": {"place": "hall"}, "auditorium": {"place": "hall"}, "theatre": {"place": "hall"},
    "theater": {"place": "hall"}, "зал": {"place": "hall"}, "зале": {"place": "hall"},
    "church": {"place": "church"}, "chapel": {"place": "church"}, "церкв": {"place": "church"},
    "церков": {"place": "church"}, "храм": {"place": "church"},
    "cathedral": {"place": "cathedral"}, "собор": {"place": "cathedral"},
    "stadium": {"place": "stadium"}, "arena": {"place": "stadium"}, "стадион": {"place": "stadium"},
    "арен": {"place": "stadium"},
    "forest": {"place": "forest"}, "woods": {"place": "forest"}, "jungle": {"place": "forest"},
    "лес": {"place": "forest"}, "лесн": {"place": "forest"}, "чащ": {"place": "forest"},
    "street": {"place": "street"}, "city": {"place": "street"}, "town": {"place": "street"},
    "улиц": {"place": "street"}, "город": {"place": "street"},
    "outside": {"place": "outdoors"}, "outdoors": {"place": "outdoors"}, "outdoor": {"place": "outdoors"},
    "field": {"place": "outdoors"}, "meadow": {"place": "outdoors"}, "снаруж": {"place": "outdoors"},
    "room": {"place": "room"}, "bedroom": {"place": "room"}, "inside": {"place": "room"},
    "indoors": {"place": "room"}, "house": {"place": "room"}, "office": {"place": "room"},
    "комнат": {"place": "room"}, "дом": {"place": "room"}, "офис": {"place": "room"}, "спальн": {"place": "room"},
    "bathroom": {"place": "bathroom"}, "ванн": {"place": "bathroom"}, "туалет": {"place": "bathroom"},
    "underwater": {"place": "underwater"}, "подводн": {"place": "underwater"},
    "tunnel": {"place": "tunnel"}, "underpass": {"place": "tunnel"}, "тоннел": {"place": "tunnel"},
    "туннел": {"place": "tunnel"},
    # placement in stereo
    "left": {"pan": -0.8}, "слев": {"pan": -0.8}, "лев": {"pan": -0.8},
    "right": {"pan": 0.8}, "справ": {"pan": 0.8}, "прав": {"pan": 0.8},
    "centre": {"pan": 0.0}, "center": {"pan": 0.0}, "middle": {"pan": 0.0}, "центр": {"pan": 0.0},
    "посередин": {"pan": 0.0},
}

# Several words in a row (stems) that modify; the longer of this and a source phrase wins.
MODIFIER_PHRASES: dict[tuple[str, ...], dict[str, object]] = {
    ("far", "away"): {"distance": 3.0}, ("far", "off"): {"distance": 3.0}, ("up", "close"): {"distance": 0.5},
    ("close", "by"): {"distance": 0.5}, ("right", "next", "to"): {"distance": 0.5},
    ("fly", "over"): _PASS, ("flying", "over"): _PASS, ("go", "by"): _PASS, ("drive", "by"): _PASS,
    ("rush", "by"): _PASS, ("zoom", "by"): _PASS, ("zoom", "past"): _PASS,
    ("come", "closer"): _APPROACH, ("getting", "closer"): _APPROACH, ("get", "closer"): _APPROACH,
    ("small", "room"): {"place": "room"}, ("little", "room"): {"place": "room"}, ("living", "room"): {"place": "room"},
    ("big", "hall"): {"place": "hall"}, ("large", "hall"): {"place": "hall"}, ("concert", "hall"): {"place": "hall"},
    ("маленьк", "комнат"): {"place": "room"}, ("небольш", "комнат"): {"place": "room"},
    ("больш", "зал"): {"place": "hall"}, ("концертн", "зал"): {"place": "hall"},
    ("under", "water"): {"place": "underwater"}, ("под", "вод"): {"place": "underwater"},
    ("под", "водой"): {"place": "underwater"},
}
# "a crowd of dogs", "толпа собак": before another source these count, alone they name the crowd.
COLLECTIVE_WORDS = {"crowd": {"density": 2.0, "group": 4}, "толп": {"density": 2.0, "group": 4}}

# "a knock", "an explosion": with an article right before them these mean one event.
SINGLE_EVENT_WORDS = {
    "gunshot", "shot", "meow", "knock", "bang", "explosion", "blast", "boom", "whoosh", "swoosh", "zap", "beep",
    "bark", "thunderclap", "creak", "chime",
}
ARTICLES = {"a", "an", "one", "single"}

# Words that split the prompt into successive parts.
SEQUENCE_WORDS = {
    "then", "afterwards", "afterward", "later", "next", "followed", "finally", "затем", "потом", "следом", "далее",
    "наконец",
}
# "X before Y" / "X перед Y": X comes first; "before that" / "до этого" puts what follows first.
BEFORE_WORDS = {"before", "перед", "до", "прежде"}
BEFORE_JOINERS = {"того", "тем", "как", "чем"}  # "до того как", "перед тем как", "прежде чем"
# "X after Y" / "после Y": Y comes first.  "after that" / "после этого" is a plain "then".
AFTER_WORDS = {"after", "после", "следом за"}
AFTER_THAT = {"that", "this", "этого", "чего", "того"}

# Words that join sources heard at the same time (they also close a source's modifiers).
OVERLAP_WORDS = {
    "with", "and", "while", "whilst", "as", "during", "meanwhile", "plus", "over", "amid", "among", "under", "и", "с",
    "со", "под", "вместе", "среди", "а", "также", "пока", "одновременно",
}
# Asking for silence: the mixer adds no room tone under the quiet stretches.
SILENCE_WORDS = {"silence", "silent", "тишин", "тишина"}

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "twice": 2, "thrice": 3, "single": 1, "couple": 2, "pair": 2,
    "один": 1, "одна": 1, "одно": 1, "одн": 1, "два": 2, "две": 2, "дважд": 2, "три": 3, "трижд": 3, "четыр": 4,
    "пят": 5, "шест": 6, "сем": 7, "восем": 8, "девят": 9, "десят": 10,
}

FREQ_UNITS = {
    "hz": 1.0, "hertz": 1.0, "гц": 1.0, "герц": 1.0, "khz": 1000.0, "kilohertz": 1000.0, "кгц": 1000.0,
    "килогерц": 1000.0,
}
RATE_UNITS = {"bpm": 1.0, "rpm": 1.0}  # per minute
PER_WORDS = {"per", "a", "в", "за"}
MINUTE_WORDS = {"minute", "min", "минут", "мин"}
SECOND_WORDS = {"second", "sec", "секунд", "сек"}
TIMES_WORDS = {"times", "time", "beats", "beat", "раз", "раза", "удар", "ударов", "оборот", "оборотов", "revolutions"}

# Understood but carrying no sound of their own.
FILLER_WORDS = {
    "a", "an", "the", "of", "roll", "roar", "idl", "idle", "flow", "flowing",
    "crash", "crashing", "sing", "burn", "burning", "blow", "blowing", "fall", "falling",
    "waving", "pour", "pouring", "go", "goes", "going", "come", "comes", "coming", "drive", "driving", "fly",
    "flying", "open", "opens", "closes", "in", "on", "at", "to", "from", "for", "into", "onto", "through", "across",
    "is", "are", "it", "its",
    "times", "time", "раз", "раза", "sound", "sounds", "noise", "noises", "audio", "effect", "effects", "sfx", "some",
    "lot",
    "door", "floor", "night",
    "window", "roof", "tin", "water",
    "break", "breaking", "dawn", "morning", "evening", "wet", "road", "old", "busy", "tree", "trees", 
    "mechanical", "by", "tiny",
    "someone", "somebody", "person", "man", "woman", "people", "something", "there", "very", "slightly", "rather",
    "bit", "softly", "gently",
    "play", "make", "generate", "create", "record", "recording", "ambient", "ambience", "atmosphere", "scene", "loop",
    "long", "short", "seconds", "second", "sec", "s",
    "звук", "звуки", "шум", "шумы", "в", "на", "по", "у", "из", "за", "от", "к", "о", "об", "при", "через", "это",
    "как", "очень", "немного", "чуть",
    "двер", "пол", "ноч", "окн", "крыш", "вод", "кто-то", "человек", "люд",
    "поют", "берег", "разбиваются", "разбива", "стар", "старых", "утр", "утром", "вечер",
    "вечером", "над", "головой", "мокр", "дорог", "бьется", "разбилось", "разбил", "идет", "ид", "ехал", "едет", "ед",
    "лет", "летит", "гор", "горит", "пад", "падает", "шел", "шл", "пени", "пение",
    "раскатист", "течет", "теч", "воет", "во", "дует", "ду", "бьет", "бь", "откр", "открыва", "закрыва",
    "эффект", "сцен", "атмосфер", "секунд", "сек",
    "до", "перед", "прежде", "пошел", "пош", "начина", "начинает", "mov", "move", "moving", "движ", "движет",
}
