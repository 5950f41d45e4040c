// Package asking finds the phrases that only say a question is asked ("how can we", "¿qué
// puede hacer el ayuntamiento para"), per language, so that a search can set them aside.
package asking

import (
	"slices"
	"strings"
	"unicode"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// ways are, per language, the ways city staff ask, as patterns of words: (a|b c)
// is one of the alternatives, a ? after a word or a group makes it optional, and WHO
// stands for who asks (askers). They are matched anywhere in the query, accents and case
// folded, longest first.
var ways = map[string][]string{
	"en": {
		"(how|what way) (can|could|should|do|does|would|might|may|shall) WHO (best|ever)? (help|try to)? (find out|know|learn|discover|get to know)?",
		"how (to|do you|does one) (find out|know|learn)?",
		"what (can|could|should|might|would|does|do) WHO do (to|for|about|against|so that|when)?",
		"what (is|are) the (best)? (way|ways|tool|tools|option|options) (to|for|of)?",
		"(is|are) there (a|an|any|some)? (good)? (way|ways|tool|tools|solution|solutions|example|examples|practice|practices) (to|for|of|that)?",
		"(what|which) (have|has|did|do) (other)? (cities|councils|municipalities|towns|governments|places|others) (done|do|tried|used) (to|for|about|against|with)?",
		"what (are|is) (other)? (cities|councils|municipalities|towns|governments|others) doing (to|for|about|against)?",
		"WHO (want|wants|need|needs|would like|wish|wishes|are looking|is looking|are trying|is trying|plan|plans) (to|for)? (find out|know|learn|see)?",
		"(any|some)? (examples|ideas|advice) (of|for|on|about)",
		"(can|could) (you|anyone) (suggest|recommend|tell me)",
	},
	"es": {
		"(cómo|de qué manera|de qué forma) (podemos|puedo|puede|pueden|se puede|podría|podrían|podríamos|debemos|debe|deben|hacemos|hago|hace|hacen|se hace) WHO? (saber|conocer|averiguar|descubrir)?",
		"qué (podemos|puedo|puede|pueden|podría|podrían|podríamos|debemos|debe|deben) (hacer)? WHO? (hacer)? (para|contra|por|ante|cuando)?",
		"(hay|existe|existen) (alguna|algún|alguno|algunas|algunos|una|un|otras|otros)? (forma|formas|manera|maneras|modo|herramienta|herramientas|solución|soluciones|ejemplo|ejemplos|experiencia|experiencias) (de|para|que)?",
		"qué (hicieron|han hecho|hacen|están haciendo|hizo|ha hecho) (otras ciudades|otros municipios|otros ayuntamientos|otras administraciones|otros gobiernos locales|otros|otras)? (para|contra|ante|con)?",
		"(queremos|quiero|quisiéramos|quisiera|necesitamos|necesito|buscamos|busco|nos gustaría|me gustaría) (saber|conocer|averiguar|ideas|ejemplos)? (de|para|sobre)?",
		"(algún|alguna|algunos|algunas)? (ejemplos|ideas|experiencias) (de|para|sobre)",
	},
	"fr": {
		"comment (pouvons nous|peut on|puis je|peut|peuvent|pourrait on|pourrions nous|pourrait|devons nous|doit on|faire pour|faisons nous|fait on|on peut|nous pouvons) WHO? (savoir|connaître|découvrir|trouver)?",
		"comment (savoir|faire|découvrir|connaître)",
		"(que|qu) (peut|peuvent|pouvons|pourrait|pourraient|pourrions|doit|doivent|devons|peut on|faire) (faire)? WHO? (faire)? (pour|contre|face à|quand)?",
		"(existe t il|y a t il|il existe|il y a|est ce qu il existe|est ce qu il y a) (un|une|des|d)? (moyen|moyens|outil|outils|solution|solutions|exemple|exemples|façon|manière) (de|pour|d)?",
		"(qu ont fait|que font|qu a fait) (les autres villes|d autres villes|les autres communes|d autres communes|les autres collectivités|d autres collectivités|les autres|d autres) (pour|contre|face à)?",
		"(nous voulons|nous souhaitons|nous cherchons|nous aimerions|je veux|je souhaite|je cherche|on veut|on cherche) (savoir|connaître|à|des idées|des exemples)? (de|pour|sur)?",
		"(des)? (exemples|idées) (de|pour|sur)",
	},
	"pt": {
		"(como|de que forma|de que maneira) (podemos|posso|pode|podem|se pode|poderia|poderiam|poderíamos|devemos|deve|devem|fazemos|faço|faz|fazem|se faz) WHO? (saber|conhecer|descobrir|encontrar)?",
		"o que WHO? (podemos|posso|pode|podem|poderia|poderiam|poderíamos|devemos|deve|devem) (fazer)? WHO? (fazer)? (para|contra|diante|quando)?",
		"(existe|existem|há|tem) (alguma|algum|algumas|alguns|uma|um|outras|outros)? (forma|formas|maneira|maneiras|jeito|modo|ferramenta|ferramentas|solução|soluções|exemplo|exemplos|experiência|experiências) (de|para|que)?",
		"o que (fizeram|fazem|estão fazendo|fez|faz) (outras cidades|outros municípios|outras prefeituras|outros governos locais|outros|outras)? (para|contra|diante)?",
		"(queremos|quero|gostaríamos de|gostaria de|precisamos|preciso|buscamos|procuramos|busco|procuro) (saber|conhecer|descobrir|ideias|exemplos)? (de|para|sobre)?",
		"(algum|alguma|alguns|algumas)? (exemplos|ideias|experiências) (de|para|sobre)",
	},
}

// askers are, per language, who asks: the person, the city and its government.
var askers = map[string]string{
	"en": "(we|i|you|one|a city|the city|our city|my city|cities|a council|the council|our council|councils|a municipality|the municipality|our municipality|municipalities|a town|the town|our town|a town hall|the town hall|our town hall|city hall|the city hall|a local government|the local government|our local government|local governments|the administration|our administration|a local authority|the local authority|local authorities|a mayor|the mayor's office)",
	"es": "(nosotros|el ayuntamiento|un ayuntamiento|nuestro ayuntamiento|los ayuntamientos|la ciudad|una ciudad|nuestra ciudad|las ciudades|el municipio|un municipio|nuestro municipio|los municipios|la alcaldía|una alcaldía|la municipalidad|una municipalidad|nuestra municipalidad|la intendencia|el gobierno local|un gobierno local|los gobiernos locales|la administración|nuestra administración|el cabildo|la comuna)",
	"fr": "(nous|on|une mairie|la mairie|notre mairie|les mairies|une ville|la ville|notre ville|les villes|une commune|la commune|notre commune|les communes|une municipalité|la municipalité|notre municipalité|une collectivité|la collectivité|notre collectivité|les collectivités|l administration|une agglomération|la métropole)",
	"pt": "(nós|a prefeitura|uma prefeitura|nossa prefeitura|as prefeituras|a cidade|uma cidade|nossa cidade|as cidades|o município|um município|nosso município|os municípios|a câmara|a câmara municipal|a administração|nossa administração|o governo local|um governo local|os governos locais|a autarquia|a câmara de vereadores)",
}

// part is one word or group of a pattern: its alternatives, each a sequence of folded
// words.
type part struct {
	alts     [][]string
	optional bool
}

// compile turns each language's patterns into parts, once.
func compile() map[string][][]part {
	out := map[string][][]part{}
	for lang, ps := range ways {
		for _, p := range ps {
			out[lang] = append(out[lang], compilePattern(strings.ReplaceAll(p, "WHO", askers[lang])))
		}
	}
	return out
}

func compilePattern(p string) []part {
	var parts []part
	for p = strings.TrimSpace(p); p != ""; p = strings.TrimSpace(p) {
		var pt part
		var group string
		if p[0] == '(' {
			end := strings.IndexByte(p, ')')
			group, p = p[1:end], p[end+1:]
		} else {
			end := strings.IndexAny(p, " ?")
			if end < 0 {
				end = len(p)
			}
			group, p = p[:end], p[end:]
		}
		if strings.HasPrefix(p, "?") {
			pt.optional, p = true, p[1:]
		}
		for _, alt := range strings.Split(group, "|") {
			pt.alts = append(pt.alts, folded(words(alt)))
		}
		parts = append(parts, pt)
	}
	return parts
}

// words splits text as queries are split, keeping repeats.
func words(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// folded returns the words lower-cased and without accents.
func folded(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = practices.Fold(w)
	}
	return out
}

// longestMatch returns where the longest match of parts at toks[i:] ends, or -1.
func longestMatch(parts []part, toks []string, i int) int {
	if len(parts) == 0 {
		return i
	}
	best := -1
	for _, alt := range parts[0].alts {
		if i+len(alt) <= len(toks) && slices.Equal(toks[i:i+len(alt)], alt) {
			best = max(best, longestMatch(parts[1:], toks, i+len(alt)))
		}
	}
	if parts[0].optional {
		best = max(best, longestMatch(parts[1:], toks, i))
	}
	return best
}

var patterns = compile()

// Find finds the asking phrases of text in lang (in every language it knows when lang is
// ""), and returns them as written, lower-cased, and the folded words that occur only
// inside them.
func Find(lang, text string) (phrases []string, only map[string]bool) {
	raw := words(text)
	toks := folded(raw)
	langs := patterns
	if lang != "" {
		langs = map[string][][]part{lang: patterns[lang]}
	}
	covered := make([]bool, len(toks))
	for i := 0; i < len(toks); {
		end := -1
		for _, ps := range langs {
			for _, p := range ps {
				end = max(end, longestMatch(p, toks, i))
			}
		}
		if end <= i {
			i++
			continue
		}
		phrases = append(phrases, strings.ToLower(strings.Join(raw[i:end], " ")))
		for j := i; j < end; j++ {
			covered[j] = true
		}
		i = end
	}
	only = map[string]bool{}
	for i, t := range toks {
		if covered[i] {
			only[t] = true
		}
	}
	for i, t := range toks {
		if !covered[i] {
			delete(only, t)
		}
	}
	return phrases, only
}
